from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reviews.sampledata.demo import DEMO_PASSWORD, USERS, load_demo


class Command(BaseCommand):
    help = "Load fictional demonstration data (development only; safe to run twice)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo only runs with DEBUG on: it creates accounts with a known password."
            )
        result = load_demo(today=timezone.localdate())
        self.stdout.write(
            f"Demo data: {result['cases_created']} cases created, {result['cases']} in all. "
            f"Logins ({', '.join(USERS)}) use the password {DEMO_PASSWORD!r}."
        )
