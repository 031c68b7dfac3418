"""python manage.py send_review_reminders [--today YYYY-MM-DD] [--enqueue]"""

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reviews.reminders import describe, send_due_reminders
from reviews.tasks import send_reminders


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Email owners about follow-up reviews and panel actions due soon (REVIEW_REMINDER_DAYS "
        "before), due today, and escalate to their agency's supervisors once overdue beyond "
        "REVIEW_GRACE_DAYS. Each email goes once, so it is safe to run again or to overlap. "
        "Run it daily, for example from cron: "
        "15 7 * * * cd /srv/casereview && .venv/bin/python manage.py send_review_reminders "
        ">> /var/log/casereview/reminders.log 2>&1 "
        "(with --enqueue, a worker sends them: one cron line for the whole service)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=str,
            default=None,
            help="Act as if today were this date (YYYY-MM-DD); default: today in TIME_ZONE.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the run for a worker (manage.py db_worker) instead of sending here.",
        )

    def handle(self, *args, today=None, enqueue=False, **options):
        today = iso_date(today) if today else timezone.localdate()
        if enqueue:
            result = send_reminders.enqueue(today.isoformat())
            self.stdout.write(f"Reminders for {today.isoformat()} queued as task {result.id}")
            return
        run = send_due_reminders(today)
        if options["verbosity"] > 1:
            for reminder in run.sent:
                self.stdout.write(f"sent: {describe(reminder)}")
        for reminder in run.no_email:
            self.stderr.write(f"not sent, no email address: {describe(reminder)}")
        for reminder, error in run.failed:
            self.stderr.write(f"failed, will retry on the next run: {describe(reminder)} ({error})")
        self.stdout.write(f"{len(run.sent)} reminders sent")
        if run.failed:
            # Non-zero for cron and monitoring; the count above stays the last line printed.
            sys.exit(1)
