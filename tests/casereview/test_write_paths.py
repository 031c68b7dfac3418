"""History covers every write path: no tracked model is written around simple-history.

QuerySet.update, bulk_create/bulk_update, .raw() and cursors skip the history
rows (and the audit hash chain). They are allowed only in migrations and the
scale seeder, or on a line that says why it is safe with `# history-safe`.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "referrals", ROOT / "reviews", ROOT / "casereview"]
BYPASS = re.compile(
    r"\.update\(|\.bulk_create\(|\.bulk_update\(|\.raw\(|\.cursor\(|\.delete\(|\.execute\("
)
ALLOWED_FILES = {"seed_scale.py"}


def offending_lines() -> list[str]:
    found = []
    for folder in SOURCES:
        for path in folder.rglob("*.py"):
            if "migrations" in path.parts or path.name in ALLOWED_FILES:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if BYPASS.search(line) and "# history-safe" not in line:
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_no_write_bypasses_history():
    assert offending_lines() == []


def test_the_scan_finds_a_bypass(tmp_path, monkeypatch):
    sneaky = tmp_path / "reviews"
    sneaky.mkdir()
    (sneaky / "sneaky.py").write_text("Case.objects.filter(pk=1).update(owner=None)\n")
    module = sys.modules[__name__]
    monkeypatch.setattr(module, "SOURCES", [sneaky])
    monkeypatch.setattr(module, "ROOT", tmp_path)
    assert offending_lines() == [
        "reviews/sneaky.py:1: Case.objects.filter(pk=1).update(owner=None)"
    ]
