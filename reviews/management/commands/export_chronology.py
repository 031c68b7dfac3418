from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from referrals.audit import log_access
from referrals.models import Case, User
from reviews import pdf as chronology_pdf
from reviews.chronology.csv_format import export_csv
from reviews.chronology.findings import known_as_of
from reviews.chronology.query import entries_for_case
from reviews.management.commands.case_findings import iso_date


class Command(BaseCommand):
    help = (
        "Export a case's chronology as CSV (chronology-format.md) and/or as the PDF chronology "
        "for inquiries. Each export is written to the access log."
    )

    def add_arguments(self, parser):
        parser.add_argument("case_ref")
        parser.add_argument("--csv", type=Path, help="CSV file to write.")
        parser.add_argument("--pdf", type=Path, help="PDF file to write.")
        parser.add_argument(
            "--as-of",
            type=iso_date,
            default=None,
            help="YYYY-MM-DD: leave out entries logged after it (PDF default: today).",
        )
        parser.add_argument(
            "--user",
            default=None,
            help="USERNAME of the person the export is for (logged, and named on the PDF's "
            'cover); default "command line".',
        )

    def handle(self, *args, case_ref, csv, pdf: Path | None, as_of, user, **options):
        if csv is None and pdf is None:
            raise CommandError("Give --csv FILE or --pdf FILE (or both).")
        actor = None
        if user is not None:
            actor = (
                User.objects.filter(username=user, is_active=True).select_related("agency").first()
            )
            if actor is None:
                raise CommandError(f"--user {user}: no active user with that username.")
        case = Case.objects.select_related("person").filter(reference=case_ref).first()
        if case is None:
            raise CommandError(f"No case with reference {case_ref!r}.")

        if csv is not None:
            entries = entries_for_case(case)
            if as_of is not None:
                entries = known_as_of(entries, as_of)
            csv.write_text(export_csv(case, entries), encoding="utf-8", newline="")
            log_access(
                user=actor, action="export-csv", case=case, detail=f"as of {as_of}" if as_of else ""
            )
            self.stdout.write(f"Wrote {csv}.")

        if pdf is not None:
            pdf_as_of = as_of or timezone.localdate()
            try:
                content = chronology_pdf.render_chronology_pdf(case, as_of=pdf_as_of)
            except chronology_pdf.ChronologyTooLarge as too_large:
                raise CommandError(
                    f"{case.reference} has {too_large.count:,} entries as of {pdf_as_of}, more "
                    f"than PDF_MAX_ENTRIES ({too_large.limit:,}). To export it anyway, run this "
                    f"command with the environment variable PDF_MAX_ENTRIES={too_large.count}."
                ) from None
            pdf.write_bytes(content)
            log_access(user=actor, action="export-pdf", case=case, detail=f"as of {pdf_as_of}")
            self.stdout.write(f"Wrote {pdf}.")
