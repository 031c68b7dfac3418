"""Fictional demonstration data: one login per role, the failure pattern, a well-run case, a caseload.

Every name here is invented. Everything is written through the services, so
the demo has the same history rows real use would have.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from referrals import services as intake
from referrals.models import Agency, Case, User

from .. import services
from ..models import FollowUpReview, InterventionSession, PanelAction

DEMO_PASSWORD = "demo-password"

AGENCIES = {
    "police": ("Northshire Police", Agency.Kind.POLICE),
    "council": ("Northshire County Council", Agency.Kind.LOCAL_AUTHORITY),
    "panel": ("Northshire Channel Panel", Agency.Kind.CHANNEL_PANEL),
    "health": ("Northshire NHS Trust", Agency.Kind.HEALTH),
    "schools": ("Northshire Schools", Agency.Kind.EDUCATION),
    "provider": ("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER),
    "westmoor": ("Westmoor Police", Agency.Kind.POLICE),
    "inquiry": ("Independent Review Team", Agency.Kind.OTHER),
}

# username: (first, last, agency key, role)
USERS = {
    "caseworker": ("Casey", "Worker", "council", User.Role.CASEWORKER),
    "supervisor": ("Sam", "Overseer", "council", User.Role.SUPERVISOR),
    "provider": ("Pat", "Mentor", "provider", User.Role.PROVIDER),
    "chair": ("Chris", "Chairwell", "panel", User.Role.PANEL_CHAIR),
    "inquiry": ("Ira", "Reviewer", "inquiry", User.Role.INQUIRY),
    "admin": ("Ada", "Admin", "council", User.Role.ADMIN),
    "caseworker2": ("Morgan", "Fielding", "council", User.Role.CASEWORKER),
    "police": ("Dana", "Constable", "police", User.Role.CASEWORKER),
    "police-supervisor": ("Lee", "Sergeant", "police", User.Role.SUPERVISOR),
    "health": ("Robin", "Nurseling", "health", User.Role.CASEWORKER),
    "westmoor": ("Kit", "Moorland", "westmoor", User.Role.CASEWORKER),
}

FIRST = [
    "Jordan",
    "Riley",
    "Alexis",
    "Quinn",
    "Rowan",
    "Emery",
    "Harley",
    "Skyler",
    "Reese",
    "Marlowe",
    "Sasha",
    "Ellis",
    "Finley",
    "Hollis",
    "Jude",
    "Kendall",
    "Lennox",
    "Arden",
]
LAST = [
    "Ashcombe",
    "Brackley",
    "Corrow",
    "Dunmere",
    "Elsworth",
    "Farthing",
    "Garside",
    "Holloway",
    "Inchley",
    "Jessop",
    "Kettlewell",
    "Larkhill",
    "Mossop",
    "Norbury",
    "Oakes",
    "Pendle",
]

FAILURE_REF = "CR-2015-00007"
WELL_RUN_REF = "CR-2023-00012"


def load_demo(*, today: dt.date) -> dict[str, int]:
    """Create what is missing; a second run creates nothing (keyed on usernames and references)."""
    with transaction.atomic():
        agencies = {key: _agency(name, kind) for key, (name, kind) in AGENCIES.items()}
        users = {
            name: _user(name, *spec[:2], agencies[spec[2]], spec[3]) for name, spec in USERS.items()
        }
        created = 0
        if not Case.objects.filter(reference=FAILURE_REF).exists():
            _failure_case(agencies, users)
            created += 1
        if not Case.objects.filter(reference=WELL_RUN_REF).exists():
            _well_run_case(agencies, users)
            created += 1
        created += _caseload(agencies, users, today=today)
    return {"cases_created": created, "cases": Case.objects.count(), "users": len(users)}


def _agency(name, kind) -> Agency:
    agency = Agency.objects.filter(name=name).first()
    if agency is None:
        agency = Agency(name=name, kind=kind)
        agency._change_reason = "Demo data"
        agency.save()
    return agency


def _user(username, first, last, agency, role) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            agency=agency,
            role=role,
            email=f"{username}@example.invalid",
            is_staff=role == User.Role.ADMIN,
            is_superuser=role == User.Role.ADMIN,
        )
        user.set_password(DEMO_PASSWORD)
        user._change_reason = "Demo data"
        user.save()
    return user


def _failure_case(a, u):
    """The published failure case, retold with fictional names and the published dates.

    Referred in October 2014 (the day not known); the provider was asked by phone, with no
    written briefing, and met the person once (17 January 2015); the panel minutes of
    12 March 2015 say "still ongoing with his IP" and mention a "final visit" the provider
    never planned; police emailed in April 2015 asking how many sessions remained; the case
    was exited in late April 2015 as very low risk; the 6-month review never happened; the
    12-month review was held in October 2016 and logged on 4 December 2016, "late due to an
    IT issue". Each logged-on date is the one its source document carries; the whole case
    was typed in later, from those documents, as a reconstruction for a review is.
    """
    cw, d = u["caseworker"], dt.date
    referral = intake.create_referral(
        user=cw,
        reference=FAILURE_REF,
        person_name="Sol Brennock",
        referring_agency=a["schools"],
        referrer_name="Designated safeguarding lead, Northshire College",
        received_on=d(2014, 10, 1),
        month_only=True,
        logged_on=d(2014, 10, 31),
        lead_agency=a["council"],
        concerns="College raised concerns about statements in class and extremist material shared online.",
        source="College referral form (October 2014)",
        date_of_birth=d(1997, 6, 3),
        require_late_reason=False,
    )
    case = referral.case
    intake.record_consent(case=case, user=cw, consent="given", consent_on=d(2014, 11, 18))
    common = {"case": case, "user": cw, "require_late_reason": False}
    services.record_panel_meeting(
        **common,
        agency=a["panel"],
        occurred_on=d(2014, 11, 18),
        logged_on=d(2014, 11, 19),
        agencies_present=[a["council"], a["police"], a["health"], a["schools"]],
        risk_level="medium",
        summary="Panel discussed the referral and adopted the case for mentoring support.",
        source="Channel minutes 18/11/2014",
        decisions=[
            {"kind": "adopt", "rationale": "Vulnerable to radicalisation; consents to support."}
        ],
    )
    services.assign_provider(
        **common,
        agency=a["provider"],
        occurred_on=d(2014, 12, 1),
        month_only=True,
        logged_on=d(2014, 12, 31),
        commissioned_by="phone",
        provider_worker=u["provider"],
        summary="Brightpath Mentoring asked by phone to mentor; number of sessions not agreed.",
        source="Provider's account to the review (December 2014)",
    )
    services.record_session(
        **common,
        agency=a["provider"],
        occurred_on=d(2015, 1, 17),
        logged_on=d(2015, 1, 19),
        status=InterventionSession.Status.HELD,
        summary="First and only mentoring session held.",
        source="Provider's session note 17/01/2015",
    )
    services.record_agency_account(
        **common,
        agency=a["panel"],
        occurred_on=d(2015, 3, 12),
        logged_on=d(2015, 3, 13),
        believed_status="ongoing",
        source_kind="minutes",
        summary="Minutes: 'still ongoing with his IP'; a 'final visit' is mentioned.",
        source="Channel minutes 12/03/2015",
    )
    services.record_agency_account(
        **common,
        agency=a["police"],
        occurred_on=d(2015, 4, 9),
        logged_on=d(2015, 4, 9),
        believed_status="ongoing",
        source_kind="email",
        summary="Police email asks the provider how many sessions remain.",
        source="Email from the police Prevent officer 09/04/2015",
    )
    services.exit_case(
        **common,
        agency=a["panel"],
        occurred_on=d(2015, 4, 1),
        month_only=True,
        logged_on=d(2015, 4, 30),
        risk_level="very_low",
        summary="Case exited from Channel as very low risk.",
        rationale="Panel satisfied that risk had reduced.",
        source="Channel minutes (late April 2015)",
        gate_override_reason="Exited on the panel's judgement; no provider report requested.",
    )
    twelve = FollowUpReview.objects.get(case=case, kind="12_month", state="scheduled")
    services.conduct_review(
        review=twelve,
        user=cw,
        conducted_on=d(2016, 10, 1),
        month_only=True,
        logged_on=d(2016, 12, 4),
        agency=a["council"],
        summary="12-month review: no further concerns reported.",
        late_reason="IT issue",
        source="Review form, logged 04/12/2016",
        require_late_reason=False,
    )


def _well_run_case(a, u):
    cw, d = u["caseworker2"], dt.date
    case = intake.create_referral(
        user=cw,
        reference=WELL_RUN_REF,
        person_name="Tamsin Orrell",
        referring_agency=a["schools"],
        received_on=d(2023, 3, 1),
        logged_on=d(2023, 3, 1),
        lead_agency=a["council"],
        concerns="Teacher concerned about interest in an extremist group's videos.",
        source="School safeguarding referral SR-23-118",
    ).case
    intake.record_consent(case=case, user=cw, consent="given", consent_on=d(2023, 3, 20))
    common = {"case": case, "user": cw}
    services.record_panel_meeting(
        **common,
        agency=a["panel"],
        occurred_on=d(2023, 3, 21),
        logged_on=d(2023, 3, 21),
        agencies_present=[a["council"], a["police"], a["schools"]],
        risk_level="medium",
        summary="Panel adopted the case.",
        source="Channel minutes 21/03/2023",
        decisions=[{"kind": "adopt", "rationale": "Consent given; mentoring appropriate."}],
        actions=[
            {
                "description": "Issue written briefing to the provider",
                "owner": cw,
                "due_on": d(2023, 3, 28),
            }
        ],
    )
    assignment = services.assign_provider(
        **common,
        agency=a["provider"],
        occurred_on=d(2023, 3, 24),
        logged_on=d(2023, 3, 24),
        sessions_planned=4,
        provider_worker=u["provider"],
        summary="Four mentoring sessions commissioned.",
    )
    briefing = services.issue_briefing(
        **common,
        agency=a["council"],
        assignment=assignment,
        occurred_on=d(2023, 3, 27),
        logged_on=d(2023, 3, 27),
        issued_by="Morgan Fielding",
        document_ref="BRF-2023-012",
        summary="Written briefing issued to Brightpath Mentoring.",
    )
    services.acknowledge_briefing(
        briefing=briefing, user=u["provider"], acknowledged_on=d(2023, 3, 28)
    )
    for number, when in enumerate(
        [d(2023, 4, 4), d(2023, 4, 18), d(2023, 5, 2), d(2023, 5, 16)], 1
    ):
        session = services.plan_session(
            **common,
            agency=a["provider"],
            assignment=assignment,
            occurred_on=when,
            logged_on=d(2023, 3, 28),
            summary=f"Session {number} arranged.",
        )
        services.record_session_outcome(
            session=session,
            user=u["provider"],
            status="held",
            logged_on=when,
            summary=f"Session {number} held.",
            provider_report=f"Session {number}: engaged well.",
        )
        services.confirm_session(
            session=session,
            user=cw,
            agency=a["council"],
            how="report",
            confirmed_on=when + dt.timedelta(days=2),
            note=f"Session {number} report received from Brightpath Mentoring.",
        )
    services.record_agency_account(
        **common,
        agency=a["panel"],
        occurred_on=d(2023, 5, 17),
        logged_on=d(2023, 5, 17),
        sessions_believed=4,
        believed_status="completed",
        source_kind="minutes",
        summary="Panel noted four sessions completed.",
        source="Channel minutes 17/05/2023",
    )
    services.exit_case(
        **common,
        agency=a["panel"],
        occurred_on=d(2023, 5, 31),
        logged_on=d(2023, 5, 31),
        risk_level="low",
        summary="Exited: intervention complete.",
        rationale="Risk reduced; reports on file.",
    )
    for review in FollowUpReview.objects.filter(case=case).order_by("due_on"):
        services.conduct_review(
            review=review,
            user=cw,
            conducted_on=review.due_on,
            logged_on=review.due_on,
            agency=a["council"],
            summary=f"{review.get_kind_display()}: no concerns.",
        )


def _caseload(a, u, *, today: dt.date) -> int:
    """A deterministic caseload of 44 cases with reviews overdue, due soon and later."""
    rng = random.Random(2026)
    owners = [u["caseworker"], u["caseworker2"], u["police"], u["health"], u["westmoor"]]
    referrers = [a["police"], a["schools"], a["health"], a["council"], a["westmoor"]]
    created = 0
    in_support: list[tuple[Case, User]] = []
    for number in range(1, 45):
        reference = f"CR-{today.year}-{900 + number:05d}"
        owner = owners[number % len(owners)]
        days_ago = rng.randint(40, 700)
        if number == 44:
            days_ago = 45  # a referral still awaiting its outcome after 30 days (issue 17)
        received = today - dt.timedelta(days=days_ago)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if Case.objects.filter(reference=reference).exists():
            continue
        created += 1
        case = intake.create_referral(
            user=owner,
            reference=reference,
            person_name=name,
            referring_agency=referrers[number % 5],
            received_on=received,
            logged_on=received,
            owner=owner,
            lead_agency=owner.agency,
            concerns="Concerns about exposure to extremist material (fictional demo case).",
            referrer_email=f"referrals-{number}@example.invalid",
        ).case
        if days_ago < 60:
            continue  # still at referral or gateway
        common = {"case": case, "user": owner, "require_late_reason": False}
        meeting_on = received + dt.timedelta(days=20)
        services.record_panel_meeting(
            **common,
            agency=a["panel"],
            occurred_on=meeting_on,
            logged_on=meeting_on,
            agencies_present=[owner.agency, a["council"]],
            risk_level=rng.choice(["low", "medium", "high"]),
            summary="Panel discussed the case.",
            decisions=[{"kind": "adopt", "rationale": "Support offered."}],
            actions=[
                {
                    "description": "Share safeguarding history with the panel",
                    "owner": owner,
                    "due_on": meeting_on + dt.timedelta(days=rng.randint(7, 60)),
                }
            ],
        )
        # Most panel actions are done on time; some are still open (overdue or missed).
        if number % 5:
            for action in PanelAction.objects.filter(case=case, completed_on__isnull=True):
                done_on = min(today, action.due_on - dt.timedelta(days=rng.randint(0, 5)))
                if done_on >= meeting_on:
                    services.complete_action(action=action, user=owner, completed_on=done_on)
        assigned_on = meeting_on + dt.timedelta(days=7)
        services.assign_provider(
            **common,
            agency=a["provider"],
            occurred_on=assigned_on,
            logged_on=assigned_on,
            sessions_planned=6,
            summary="Mentoring commissioned.",
        )
        if number % 3:
            services.issue_briefing(
                **common,
                agency=owner.agency,
                occurred_on=assigned_on,
                logged_on=assigned_on,
                summary="Written briefing issued.",
            )
        held = rng.randint(0, 5)
        sessions_recorded = 0
        for k in range(held):
            when = assigned_on + dt.timedelta(days=14 * (k + 1))
            if when >= today:
                break
            lag = 20 if number % 11 == 0 and k == 0 else 1
            session = services.record_session(
                **common,
                agency=a["provider"],
                occurred_on=when,
                logged_on=min(today, when + dt.timedelta(days=lag)),
                status="held",
                summary=f"Session {k + 1} held.",
                provider_report="Engaged.",
                late_reason="Provider sent notes late" if lag > 7 else "",
            )
            sessions_recorded += 1
            # Most sessions are confirmed from outside the provider within days; a few are
            # not (issue 17: the dashboard lists those unconfirmed after SESSION_CONFIRM_DAYS).
            confirmed_on = when + dt.timedelta(days=3)
            if number % 6 and confirmed_on <= today:
                services.confirm_session(
                    session=session,
                    user=owner,
                    agency=owner.agency,
                    how=("report", "call", "attended")[k % 3],
                    confirmed_on=confirmed_on,
                    note="Provider's session report received and read.",
                )
        if number % 4 == 0:
            believed_on = min(today, assigned_on + dt.timedelta(days=60))
            services.record_agency_account(
                **common,
                agency=a["police"],
                occurred_on=believed_on,
                logged_on=believed_on,
                sessions_believed=held + 2,
                believed_status="ongoing",
                source_kind="email",
                summary="Police asked how the remaining sessions are going.",
            )
        # Exits spread so reviews fall overdue, due in the next 30 days, and later.
        exit_on = today - dt.timedelta(days=[200, 195, 170, 160, 120, 60, 380][number % 7])
        if exit_on > assigned_on + dt.timedelta(days=14 * held) and exit_on > received:
            services.exit_case(
                **common,
                agency=a["panel"],
                occurred_on=exit_on,
                logged_on=exit_on,
                risk_level=rng.choice(["very_low", "low"]),
                summary="Exited from Channel.",
                rationale="Risk reduced.",
                enforce_gate=False,
            )
            _hold_reviews(case, owner, today=today, rng=rng, number=number)
        elif sessions_recorded:
            in_support.append((case, owner))
    # Questions to the provider on two cases in support: one answered, one open past its due
    # date (the supervisors' dashboard lists it).
    for (case, owner), answered in zip(in_support, (True, False), strict=False):
        _ask_provider(case, owner, a, u["provider"], today=today, answered=answered)
    return created


def _ask_provider(case, owner, a, provider, *, today: dt.date, answered: bool) -> None:
    """A question to the provider of an open case: answered, or open past its due date (the
    supervisors' dashboard lists those)."""
    asked_on = today - dt.timedelta(days=12)
    question = services.ask_provider(
        case=case,
        user=owner,
        agency=owner.agency,
        question="How many sessions remain, and when is the next one?",
        due_on=asked_on + dt.timedelta(days=7),
        asked_on=asked_on,
        logged_on=asked_on,
    )
    if answered:
        answered_on = asked_on + dt.timedelta(days=2)
        services.answer_question(
            question=question,
            user=provider,
            agency=a["provider"],
            answer="Two sessions remain; the next is arranged for the coming fortnight.",
            answered_on=answered_on,
            logged_on=answered_on,
        )


def _hold_reviews(case, owner, *, today: dt.date, rng: random.Random, number: int) -> None:
    """Most reviews are held around their due date, a few late, a few not at all: a caseload
    whose dashboard shows some overdue and missed reviews, not nothing but misses."""
    for review in FollowUpReview.objects.filter(case=case, state="scheduled").order_by("due_on"):
        if number % 4 == 0:
            continue  # never held: overdue or missed, depending on the date
        late = number % 9 == 0
        held_on = review.due_on + dt.timedelta(
            days=rng.randint(20, 40) if late else rng.randint(-5, 7)
        )
        if held_on > today - dt.timedelta(days=2):
            continue
        services.conduct_review(
            review=review,
            user=owner,
            conducted_on=held_on,
            logged_on=held_on,
            agency=owner.agency,
            summary=f"{review.get_kind_display()}: no further concerns.",
            require_late_reason=False,
        )
