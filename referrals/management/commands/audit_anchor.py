import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from casereview.auditchain import anchor, chained_models


class Command(BaseCommand):
    help = (
        "Print (or write to --output) each audit chain's head as JSON: table, row count, last "
        "row's id and hash. Keep it away from the database; `verify_audit --anchor FILE` "
        "then fails if a chain was cut back or rewritten since."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="FILE", help="write the JSON here, not to stdout")

    def handle(self, *args, output=None, **options):
        chains = sorted(
            (anchor(model) for model in chained_models()), key=lambda chain: chain["table"]
        )
        text = json.dumps(
            {"taken_at": timezone.now().isoformat(timespec="seconds"), "chains": chains}, indent=2
        )
        if output is None:
            self.stdout.write(text)
            return
        Path(output).write_text(text + "\n", encoding="utf-8")
        rows = sum(chain["rows"] for chain in chains)
        self.stdout.write(f"Anchored {len(chains)} audit chains ({rows} rows) in {output}.")
