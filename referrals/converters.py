"""The `<ref:reference>` path converter: a case reference in a URL.

It matches exactly the references a case may have (`referrals.models.CASE_REFERENCE_PATTERN`)
except the words other case URLs use (`cases/new/`, `cases/import/`), so the order in which
the apps' URLconfs are included does not matter.
"""

from .models import RESERVED_REFERENCES


class CaseReferenceConverter:
    regex = "(?!(?:" + "|".join(RESERVED_REFERENCES) + ")/)" + r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
