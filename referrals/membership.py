"""Keep `CaseAgency` (which agencies are part of a case) in step with the records it comes from.

A derived index, not business logic: it is refreshed on post_save of the models it is
computed from, so every write path (services, admin, shell) keeps it right; the records
themselves, with their history, stay the source of truth.

Each app says which of its records make an agency part of a case by `register`ing a
`Source` (intake registers the case and the referral here; `reviews` registers panel
attendance and provider assignments in its AppConfig), so this module never reads
another app's tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model

from .models import CaseAgency

Via = CaseAgency.Via


@dataclass(frozen=True)
class Source:
    """One kind of record that makes agencies part of a case.

    `label`: the model ("app.Model") whose saves refresh the membership; `pairs`: for some
    case ids, the (case id, agency id, via) triples these records imply; `case_id_of`: the
    case a saved record belongs to; `sql`: the same triples for every case, as a SELECT of
    (case_id, agency_id, via) both databases speak (for the bulk backfill).
    """

    label: str
    case_id_of: Callable[[Model], int | None]
    pairs: Callable[[list[int]], Iterable[tuple[int, int, str]]] = lambda case_ids: ()
    sql: str = ""


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    """Add a source; saving one of its records refreshes its case's membership from now on."""
    from django.db.models.signals import post_save

    _SOURCES[source.label.lower()] = source
    # A lazy sender ("app.Model"): connected when that model is ready.
    post_save.connect(on_save, sender=source.label, dispatch_uid=f"membership-{source.label}")


def backfill_sql() -> str:
    """Adds what is missing, for every case (the scale seeder runs it after bulk loading)."""
    select = "\nUNION ".join(source.sql for source in _SOURCES.values() if source.sql)
    return f"""
INSERT INTO referrals_caseagency (case_id, agency_id, via)
SELECT m.case_id, m.agency_id, m.via FROM ({select}) AS m
WHERE NOT EXISTS (SELECT 1 FROM referrals_caseagency x
                  WHERE x.case_id = m.case_id AND x.agency_id = m.agency_id AND x.via = m.via)
"""


def desired(case_ids: list[int]) -> dict[int, set[tuple[int, str]]]:
    """Per case, the (agency id, via) pairs its records say it should have."""
    pairs: dict[int, set[tuple[int, str]]] = {case_id: set() for case_id in case_ids}
    for source in _SOURCES.values():
        for case_id, agency_id, via in source.pairs(case_ids):
            pairs[case_id].add((agency_id, via))
    return pairs


def refresh(case_id: int) -> None:
    refresh_many([case_id])


def refresh_many(case_ids: list[int]) -> None:
    """Add the memberships the records now imply and drop the ones they no longer do."""
    for start in range(0, len(case_ids), 500):
        chunk = list(case_ids[start : start + 500])
        want = desired(chunk)
        have: dict[int, set[tuple[int, str]]] = {case_id: set() for case_id in chunk}
        stale_ids = []
        for pk, case_id, agency_id, via in CaseAgency.objects.filter(case_id__in=chunk).values_list(
            "pk", "case_id", "agency_id", "via"
        ):
            have[case_id].add((agency_id, via))
            if (agency_id, via) not in want[case_id]:
                stale_ids.append(pk)
        missing = [
            CaseAgency(case_id=case_id, agency_id=agency_id, via=via)
            for case_id in chunk
            for agency_id, via in sorted(want[case_id] - have[case_id])
        ]
        if missing:
            CaseAgency.objects.bulk_create(missing)  # history-safe: derived index rows, not records
        if stale_ids:
            stale = CaseAgency.objects.filter(pk__in=stale_ids)
            stale.delete()  # history-safe: a derived index row, rebuilt from tracked records


def case_id_of(instance) -> int | None:
    """The case a saved record belongs to, if saving it can change who is part of the case."""
    source = _SOURCES.get(instance._meta.label_lower)
    return source.case_id_of(instance) if source else None


def on_save(sender, instance, raw=False, **kwargs) -> None:
    """post_save: any save of a registered record — through the services, the admin or the
    shell — keeps the case's membership right."""
    if raw:
        return
    if (case_id := case_id_of(instance)) is not None:
        refresh(case_id)


def _case_pairs(case_ids):
    Case = apps.get_model("referrals", "Case")
    for case_id, lead, owner_agency in Case.objects.filter(pk__in=case_ids).values_list(
        "pk", "lead_agency_id", "owner__agency_id"
    ):
        yield case_id, lead, Via.LEAD
        yield case_id, owner_agency, Via.OWNER


def _referral_pairs(case_ids):
    Referral = apps.get_model("referrals", "Referral")
    for case_id, agency_id in Referral.objects.filter(
        case_id__in=case_ids, voided_at__isnull=True
    ).values_list("case_id", "agency_id"):
        yield case_id, agency_id, Via.REFERRER


register(
    Source(
        label="referrals.Case",
        pairs=_case_pairs,
        case_id_of=lambda case: case.pk,
        sql="SELECT id AS case_id, lead_agency_id AS agency_id, 'lead' AS via FROM referrals_case"
        " UNION SELECT c.id, u.agency_id, 'owner' FROM referrals_case c"
        " JOIN referrals_user u ON u.id = c.owner_id",
    )
)
register(
    Source(
        label="referrals.Referral",
        pairs=_referral_pairs,
        case_id_of=lambda referral: referral.case_id,
        sql="SELECT case_id, agency_id, 'referrer' FROM referrals_referral WHERE voided_at IS NULL",
    )
)
