"""The one shape every form view has: validate, call a service, put its errors back on the form."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect

from casereview.records import ConflictError
from casereview.ukdates import uk_date

# Service field names that a form shows under another name.
FIELD_ALIASES = {
    "occurred_on": ("occurred", "received", "occurred_on", "conducted_on"),
    "conducted_on": ("conducted_on", "conducted", "occurred"),
    "logged_on": ("logged", "logged_on"),
    "void_reason": ("reason",),
    "closed_reason": ("why", "reason"),
    "new_owner": ("new_owner", "owner"),
}


def attach_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the fields it names (or at the top of the form)."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, messages_ in error.message_dict.items():
        target = next(
            (name for name in (field, *FIELD_ALIASES.get(field, ())) if name in form.fields), None
        )
        for message in messages_:
            form.add_error(target, message)


def run_form(
    request,
    form: forms.Form,
    action: Callable[[dict], object],
    *,
    success_url: str,
    success_message: str,
):
    """POST: validate, act, redirect with a success banner. Returns None when the form must be shown."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        attach_errors(form, error)
        return None
    except ConflictError as conflict:
        describe_conflict(form, conflict)
        return None
    messages.success(request, success_message)
    return redirect(success_url)


def describe_conflict(form: forms.Form, conflict: ConflictError) -> None:
    """Someone saved first: say who and when, and let the user save again over the new version."""
    instance = conflict.instance
    latest = instance.history.select_related("history_user").first()
    who = latest.history_user if latest and latest.history_user else "someone else"
    when = latest.history_date if latest else None
    when_text = f" at {uk_date(when)}" if when else ""
    reason = f" ({latest.history_change_reason})" if latest and latest.history_change_reason else ""
    form.add_error(
        None,
        f"{who} changed this record{when_text}{reason} after you opened it. "
        "Check their change below, then save again if yours is still needed.",
    )
    form.conflict_changes = []
    previous = latest.prev_record if latest else None
    if latest and previous:
        for change in latest.diff_against(previous).changes:
            if change.field != "version":
                label = type(instance)._meta.get_field(change.field).verbose_name
                form.conflict_changes.append((label, change.old, change.new))
    if "version" in form.fields:
        data = form.data.copy()
        data["version"] = str(
            type(instance).objects.values_list("version", flat=True).get(pk=instance.pk)
        )
        form.data = data


class NotFound(Http404):
    """A page the app answers with its own not-found page — in development too, where Django
    would otherwise show its debug page listing every URL pattern (`NotFoundPageMiddleware`)."""
