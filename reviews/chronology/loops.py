"""The closed loops of a chronology, read from its entries (no database): which held sessions
were confirmed from outside the provider, which questions to the provider are still open.

The same rules as the querysets the lists read from the database
(`reviews.models.SessionQuerySet.with_confirmed` and `ProviderQuestionQuerySet.open`), stated
for the entry list the timeline, its drawing and the PDF share:

- a held session is confirmed when a live (not void) `session_confirmed` entry is about it
  (`Entry.about` is the session's record key);
- a question is open while it is live and no live `question_answered` entry is about it.

Pass every entry of the case (voided ones too, or not: void ones never count).
"""

from __future__ import annotations

from collections.abc import Iterable

from .entries import Entry, EntryType


def confirmed_session_keys(entries: Iterable[Entry]) -> set[str]:
    """The record keys ("interventionsession:12") of the held sessions confirmed."""
    entries = list(entries)
    held = {
        e.record_key for e in entries if e.entry_type == EntryType.SESSION_HELD and not e.voided
    }
    return {
        e.about
        for e in entries
        if e.entry_type == EntryType.SESSION_CONFIRMED and not e.voided and e.about in held
    }


def confirmation_counts(entries: Iterable[Entry]) -> tuple[int, int]:
    """(held, confirmed): live held sessions, and how many of them were confirmed."""
    entries = list(entries)
    held = sum(1 for e in entries if e.entry_type == EntryType.SESSION_HELD and not e.voided)
    return held, len(confirmed_session_keys(entries))


def open_question_keys(entries: Iterable[Entry]) -> set[str]:
    """The record keys ("providerquestion:3") of the live questions with no live answer."""
    entries = list(entries)
    answered = {
        e.about for e in entries if e.entry_type == EntryType.QUESTION_ANSWERED and not e.voided
    }
    return {
        e.record_key
        for e in entries
        if e.entry_type == EntryType.QUESTION_ASKED
        and not e.voided
        and e.record_key not in answered
    }
