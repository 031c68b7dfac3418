import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from casereview.ukdates import parse_iso_day
from referrals.models import Case
from reviews.chronology.findings import compute_findings, findings_document
from reviews.chronology.query import entries_for_case


def iso_date(value: str) -> dt.date:
    try:
        return parse_iso_day(value)
    except ValueError:
        raise CommandError(f"--as-of must be a date written YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Print a case's findings (chronology-format.md), judged as of a date (default today)."

    def add_arguments(self, parser):
        parser.add_argument("case_ref")
        parser.add_argument("--as-of", type=iso_date, default=None)
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, case_ref, as_of, json: bool, **options):
        case = Case.objects.filter(reference=case_ref).first()
        if case is None:
            raise CommandError(f"No case with reference {case_ref!r}.")
        as_of = as_of or timezone.localdate()
        findings = compute_findings(entries_for_case(case), as_of=as_of)
        if json:
            self.stdout.write(_json.dumps(findings_document(case.reference, as_of, findings)))
            return
        if not findings:
            self.stdout.write(f"{case.reference}: no findings as of {as_of.isoformat()}.")
        for finding in findings:
            self.stdout.write(f"{finding.date.isoformat()}  {finding.code:<24} {finding.message}")


_json = json
