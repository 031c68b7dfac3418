"""The app's background tasks, run by `manage.py db_worker` from the database queue.

- `render_job` lays out one PDF chronology (defined with its job logic in reviews/pdf/jobs.py,
  which enqueues it for the download view).
- `send_reminders` sends the day's review and panel-action reminders
  (`manage.py send_review_reminders --enqueue`, from one cron line for the whole service).

django-tasks is the backport of Django 6's `django.tasks`: on Django 6 the import below
becomes `from django.tasks import task` and nothing else changes.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from .pdf.jobs import render_job
from .reminders import describe, send_due_reminders

logger = logging.getLogger(__name__)

__all__ = ["RemindersNotSent", "render_job", "send_reminders"]


class RemindersNotSent(Exception):
    """Some reminders failed to send; the next run tries them again."""


@task()
def send_reminders(today: str | None = None) -> dict:
    """Send every reminder due on `today` (YYYY-MM-DD; default today) not sent yet.

    Each reminder is recorded and sent once (reviews/reminders.py), so two runs at once, or
    a cron line on two machines, still send each email once. Fails (after sending the rest)
    when a send failed, so the task's result shows it; the next run retries those.
    """
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    run = send_due_reminders(day)
    for reminder, error in run.failed:
        logger.warning(
            "Reminder not sent, will retry on the next run: %s (%s)", describe(reminder), error
        )
    for reminder in run.no_email:
        logger.warning("Reminder not sent, no email address: %s", describe(reminder))
    if run.failed:
        raise RemindersNotSent(f"{len(run.failed)} reminders failed; {len(run.sent)} sent")
    return {"day": day.isoformat(), "sent": len(run.sent), "no_email": len(run.no_email)}
