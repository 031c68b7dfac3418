from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from referrals.audit import log_access
from referrals.models import Case, User
from reviews.chronology.csv_format import ImportRejected, import_chronology


class Command(BaseCommand):
    help = "Import chronology CSV files (chronology-format.md): all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--owner", help="Username of the accountable owner of any case the import creates."
        )
        parser.add_argument(
            "--user", help="Username the entries are logged as (default: the --owner)."
        )

    def handle(self, *args, files, owner, user, **options):
        owner_user = self._user(owner, "--owner") if owner else None
        acting = self._user(user, "--user") if user else owner_user
        if acting is None:
            acting = (
                User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("pk").first()
            )
            if acting is None:
                raise CommandError("Give --owner USERNAME (or --user) to say who is importing.")
        contents = []
        for path in files:
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
            contents.append((path.name, path.read_bytes()))
        try:
            result = import_chronology(contents, user=acting, owner=owner_user, trusted=True)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(error)
            raise CommandError(
                f"Nothing was imported: {len(rejected.errors)} problem(s) found."
            ) from None
        # Every import is in the access log, one row per case with its counts, as in the browser.
        cases = {c.reference: c for c in Case.objects.filter(reference__in=result.per_case)}
        names = ", ".join(path.name for path in files)
        for reference, (made, present) in result.per_case.items():
            log_access(
                user=acting,
                action="import",
                case=cases.get(reference),
                case_reference=reference,
                detail=f"command line: {made} entries imported from {names}, {present} already present",
            )
        created = ", ".join(result.cases_created) or "none"
        self.stdout.write(
            f"Imported {result.created} entries ({result.skipped} already present); "
            f"cases created: {created}."
        )

    def _user(self, username: str, option: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"{option} {username}: no active user with that username.")
        return user
