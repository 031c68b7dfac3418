from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from referrals.models import Case
from reviews.chronology_csv import export_csv


class Command(BaseCommand):
    help = "Export a case's chronology as CSV (chronology-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("case_ref")
        parser.add_argument("--csv", type=Path, required=True, help="File to write.")

    def handle(self, *args, case_ref, csv: Path, **options):
        case = Case.objects.select_related("person").filter(reference=case_ref).first()
        if case is None:
            raise CommandError(f"No case with reference {case_ref!r}.")
        csv.write_text(export_csv(case), encoding="utf-8", newline="")
        self.stdout.write(f"Wrote {csv}.")
