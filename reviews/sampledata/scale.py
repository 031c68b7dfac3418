"""Synthetic national-scale data for benchmarks, load tests and query budgets (fictional).

`CaseMaker` writes nothing: it returns, case by case, the rows a real caseload
would have left in every table (referrals, panels with attendance, decisions and
actions, provider assignments, briefings — some missing — sessions planned, held
and cancelled, agency accounts — some contradicting the record — exits, follow-up
reviews on time, late, missed and upcoming relative to `today`, contacts, notes),
as `{attname: value}` dicts with their ids already assigned. The bulk writer in
`reviews/management/commands/seed_scale.py` turns them into table rows and one
"+" history row each. Same seed, same database state, same `today`: same rows.

Every row keeps the rules the database enforces (the CHECK constraints in the
models and the `*_not_before_referral` triggers): nothing is logged before it
happened except planned sessions, no session or account is dated before the
case's referral, no review before its exit.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from casereview.timerules import add_months
from referrals.models import Agency, Case, CaseNote, Contact, Person, Referral, User

from ..models import (
    AgencyAccount,
    Briefing,
    CaseExit,
    FollowUpReview,
    InterventionSession,
    PanelAction,
    PanelAttendance,
    PanelDecision,
    PanelMeeting,
    ProviderAssignment,
)
from .demo import FIRST as DEMO_FIRST
from .demo import LAST as DEMO_LAST

# Parents before children: the order rows are written in, table by table.
MODELS = (
    Person,
    Case,
    Referral,
    PanelMeeting,
    PanelAttendance,
    PanelDecision,
    PanelAction,
    ProviderAssignment,
    Briefing,
    InterventionSession,
    AgencyAccount,
    CaseExit,
    FollowUpReview,
    Contact,
    CaseNote,
)

# Models with a `created_at` (auto_now_add): the writer is given it, as the history date.
STAMPED = frozenset(
    m for m in MODELS if any(f.name == "created_at" for f in m._meta.concrete_fields)
)
SEED_REASON = "seeded"
PASSWORD = "demo-password"
DAY = dt.timedelta(days=1)

# name, kind, region ("east"/"west", or "" for agencies that work in both)
AGENCIES = (
    ("Eastvale Police", Agency.Kind.POLICE, "east"),
    ("Westmoor Constabulary", Agency.Kind.POLICE, "west"),
    ("Eastvale County Council", Agency.Kind.LOCAL_AUTHORITY, "east"),
    ("Harbourside City Council", Agency.Kind.LOCAL_AUTHORITY, "east"),
    ("Westmoor Borough Council", Agency.Kind.LOCAL_AUTHORITY, "west"),
    ("Eastvale Channel Panel", Agency.Kind.CHANNEL_PANEL, "east"),
    ("Westmoor Channel Panel", Agency.Kind.CHANNEL_PANEL, "west"),
    ("Eastvale and Westmoor NHS Trust", Agency.Kind.HEALTH, ""),
    ("Westmoor Schools Safeguarding", Agency.Kind.EDUCATION, ""),
    ("Brightwater Mentoring", Agency.Kind.INTERVENTION_PROVIDER, ""),
    ("Kestrel Interventions", Agency.Kind.INTERVENTION_PROVIDER, ""),
    ("Regional Prevent Team", Agency.Kind.OTHER, ""),
)

# The demo's names first (the same seed gives the same people as before), then more.
FIRST = (
    *DEMO_FIRST,
    "Blair",
    "Carey",
    "Dale",
    "Eden",
    "Frankie",
    "Gale",
    "Hayden",
    "Indy",
    "Jesse",
    "Kai",
    "Lane",
    "Morgan",
    "Noel",
    "Oakley",
    "Parker",
    "Remy",
    "Sage",
    "Tate",
    "Val",
    "Wren",
)
LAST = (
    *DEMO_LAST,
    "Quarrie",
    "Rushworth",
    "Sallow",
    "Thornber",
    "Underhill",
    "Varley",
    "Wimbush",
    "Yarrow",
    "Ainsty",
    "Birtle",
    "Colthorpe",
    "Denholme",
    "Eskdale",
    "Fewston",
)

CONCERNS = (
    "Shared extremist material online and spoke of it approvingly in class.",
    "Family concerned about new contacts met through an online gaming group.",
    "College reported statements supporting violence against a named community.",
    "Found with printed propaganda; school safeguarding lead referred.",
    "GP concerned about fixation on a violent ideology during appointments.",
    "Police intelligence: contact with a known recruiter on a messaging app.",
    "Youth worker reported attempts to recruit peers to a closed chat group.",
)
CONTACTS = (
    "Called the family to arrange a home visit; mother agreed to a date.",
    "Visited at home with the school's safeguarding lead; engaged and calm.",
    "Email from the college confirming attendance has improved this term.",
    "Strategy discussion with police and the council about recent online activity.",
    "Phoned the provider to check progress; next session confirmed.",
    "Letter sent explaining Channel support and the right to withdraw consent.",
    "Met the person at the youth centre; discussed education and work plans.",
    "Information shared with health under the information-sharing agreement.",
)
NOTES = (
    "Risk assessment reviewed; no change to the risk level.",
    "Supervision discussion: keep the case open pending the provider's report.",
    "Consent reconfirmed verbally at the last visit.",
    "Case file checked for completeness ahead of the panel.",
)
SESSION_TEXT = (
    "Mentoring session: discussed online influences and sources of news.",
    "Session focused on identity, belonging and local activities.",
    "Worked through a critical-thinking exercise on propaganda techniques.",
    "Discussed education options and a college taster day.",
    "Reviewed progress against the support plan; engaged throughout.",
)
ACTIONS = (
    "Share the safeguarding history with the panel",
    "Issue the written briefing to the intervention provider",
    "Obtain consent in writing",
    "Ask the college for an attendance report",
    "Arrange a joint visit with the police Prevent officer",
)
PLACES = ("Channel minutes", "Case file", "Provider report", "Email", "Police log", "Visit note")


@dataclass
class World:
    """The agencies and users every case is drawn from (ids only: rows hold ids)."""

    agencies: dict[str, int]  # name -> id
    kinds: dict[int, str]  # agency id -> kind
    regions: dict[int, str]
    staff: dict[int, list[int]]  # agency id -> caseworker/supervisor ids (case owners)
    providers: dict[int, list[int]]  # provider agency id -> provider-role user ids
    names: dict[int, str] = field(default_factory=dict)  # user id -> display name

    def of(self, kind: str, region: str = "") -> list[int]:
        return [
            a
            for a, k in self.kinds.items()
            if k == kind and (not region or self.regions[a] in (region, ""))
        ]


@dataclass
class Batch:
    """Rows made for some cases: per model, (row, history user id, history date)."""

    rows: dict = field(default_factory=lambda: {model: [] for model in MODELS})

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def month_end(value: dt.date) -> dt.date:
    return add_months(value.replace(day=1), 1) - DAY


class CaseMaker:
    """Makes cases one at a time into a Batch, assigning ids from `next_ids`."""

    def __init__(
        self,
        *,
        world: World,
        seed: int,
        today: dt.date,
        next_ids: dict,
        references: dict[int, int],
        now: dt.datetime | None = None,
    ):
        self.world = world
        self.rng = random.Random(seed)
        self.today = today
        self.now = now or dt.datetime.combine(today, dt.time(18, 0), tzinfo=dt.UTC)
        self.ids = dict(next_ids)
        self.references = dict(references)  # year -> last number used
        self.batch = Batch()
        self.owner_weights = {
            a: [1 + (i * 7) % 5 for i in range(len(u))] for a, u in world.staff.items()
        }

    # ------------------------------------------------------------ plumbing

    def take(self) -> Batch:
        batch, self.batch = self.batch, Batch()
        return batch

    def _add(self, model, row: dict, user: int, logged_on: dt.date | None = None) -> dict:
        row["id"] = self.ids[model]
        self.ids[model] += 1
        at = self._at(logged_on or self.today)
        if model in STAMPED:
            row.setdefault("created_at", at)
        self.batch.rows[model].append((row, user, row.get("created_at", at)))
        return row

    def _at(self, day: dt.date) -> dt.datetime:
        # Office hours, 08:00 to 18:00, never after `now`.
        at = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC) + dt.timedelta(
            seconds=int(self.rng.random() * 36000)
        )
        return (
            at
            if at < self.now
            else self.now - dt.timedelta(seconds=int(self.rng.random() * 36000) + 60)
        )

    def _lag(self, occurred: dt.date, *, late_share: float = 0.04) -> tuple[dt.date, str]:
        """When it was logged: mostly within days, sometimes weeks late with a reason."""
        if self.rng.random() < late_share:
            logged = occurred + dt.timedelta(days=self.rng.randint(8, 45))
            reason = self.rng.choice(
                (
                    "IT issue",
                    "Notes typed up after leave",
                    "Provider sent notes late",
                    "Backlog after staff sickness",
                )
            )
        else:
            logged, reason = (
                occurred + dt.timedelta(days=self.rng.choice((0, 0, 0, 1, 1, 2, 3))),
                "",
            )
        if logged > self.today:
            logged, reason = max(occurred, self.today), ""
        return logged, reason

    def _record(
        self,
        model,
        case: dict,
        agency: int,
        occurred: dt.date,
        summary: str,
        *,
        user: int,
        logged: dt.date | None = None,
        late_reason: str = "",
        month_only: bool = False,
        **extra,
    ) -> dict:
        if logged is None:
            logged, late_reason = self._lag(month_end(occurred) if month_only else occurred)
        row = {
            "case_id": case["id"],
            "agency_id": agency,
            "occurred_on": occurred.replace(day=1) if month_only else occurred,
            "occurred_precision": "month" if month_only else "day",
            "logged_on": logged,
            "logged_by_id": user,
            "summary": summary,
            "source": f"{self.rng.choice(PLACES)} {occurred:%d/%m/%Y}"
            if self.rng.random() < 0.7
            else "",
            "late_reason": late_reason,
            **extra,
        }
        return self._add(model, row, user, logged)

    def _when(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def _text(self, pool) -> str:
        text = self.rng.choice(pool)
        if self.rng.random() < 0.5:
            text += " " + self.rng.choice(pool)
        return text

    def _reference(self, year: int) -> str:
        number = self.references.get(year, 0) + 1
        self.references[year] = number
        return f"CR-{year}-{number:05d}"

    # ------------------------------------------------------------ one case

    def make_case(self, *, big: int = 0) -> dict:
        """One case and every record in it; `big` asks for about that many records."""
        rng, world = self.rng, self.world
        region = rng.choice(("east", "east", "west"))
        # A national archive grows: a fifth of the cases were referred in the last year.
        if big:
            days_ago = rng.randint(2400, 3300)
        else:
            days_ago = 1 + int(rng.random() * (365 if rng.random() < 0.2 else 3300))
        referred = self.today - dt.timedelta(days=days_ago)
        councils = world.of(Agency.Kind.LOCAL_AUTHORITY, region)
        police = world.of(Agency.Kind.POLICE, region)
        lead = rng.choice(councils) if rng.random() < 0.7 else rng.choice(police)
        owner = rng.choices(world.staff[lead], weights=self.owner_weights[lead])[0]
        referrer = rng.choice(
            police + councils + world.of(Agency.Kind.HEALTH) + world.of(Agency.Kind.EDUCATION)
        )
        panel = world.of(Agency.Kind.CHANNEL_PANEL, region)[0]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        person = self._add(
            Person,
            {
                "display_name": name,
                "date_of_birth": referred - dt.timedelta(days=rng.randint(11 * 365, 40 * 365)),
                "local_identifier": f"LA-{rng.randrange(10**6):06d}" if rng.random() < 0.4 else "",
            },
            owner,
            referred,
        )
        month_only = rng.random() < 0.02 and days_ago > 90
        referred_on = referred.replace(day=1) if month_only else referred
        case = self._add(
            Case,
            {
                "reference": self._reference(referred.year),
                "person_id": person["id"],
                "status": Case.Status.REFERRED.value,
                "consent": Case.Consent.NOT_ASKED.value,
                "consent_on": None,
                "owner_id": owner,
                "lead_agency_id": lead,
                "referred_on": referred_on,
                "risk_level": "",
            },
            owner,
            referred,
        )
        self._record(
            Referral,
            case,
            referrer,
            referred,
            self._text(CONCERNS),
            user=owner,
            month_only=month_only,
            referrer_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            outcome=Referral.Outcome.PENDING.value,
        )
        referral = self.batch.rows[Referral][-1][0]
        ctx = _Case(
            case=case,
            referral=referral,
            owner=owner,
            lead=lead,
            panel=panel,
            region=region,
            start=referred_on,
        )
        if big:
            self._big(ctx, big)
        else:
            self._ordinary(ctx, days_ago)
        return case

    def _ordinary(self, c: _Case, days_ago: int) -> None:
        rng = self.rng
        if days_ago < 21:
            c.case["status"] = rng.choice((Case.Status.REFERRED.value, Case.Status.GATEWAY.value))
            self._contacts(c, rng.randint(0, 2), c.start, self.today)
            return
        if rng.random() < 0.25:  # no further action at the gateway
            c.referral["outcome"] = rng.choice(
                (Referral.Outcome.NO_FURTHER_ACTION.value, Referral.Outcome.OTHER_SERVICE.value)
            )
            c.case["status"] = Case.Status.NO_FURTHER_ACTION.value
            self._contacts(c, rng.randint(1, 3), c.start, c.start + dt.timedelta(days=40))
            self._notes(c, rng.randint(0, 1), c.start, c.start + dt.timedelta(days=40))
            return
        c.referral["outcome"] = Referral.Outcome.TO_PANEL.value
        met = c.start + dt.timedelta(days=rng.randint(14, 42))
        if met > self.today:
            c.case["status"] = Case.Status.GATEWAY.value
            self._contacts(c, rng.randint(1, 3), c.start, self.today)
            return
        adopt = rng.random() < 0.85
        self._meeting(c, met, "adopt" if adopt else "not_adopt")
        if not adopt:
            c.case["status"] = Case.Status.CLOSED.value
            self._contacts(c, rng.randint(1, 4), c.start, met + dt.timedelta(days=30))
            return
        c.case["consent"] = Case.Consent.GIVEN.value
        c.case["consent_on"] = self._when(c.start, met)
        end = self._intervention(c, met, sessions=rng.randint(4, 12))
        self._contacts(
            c, rng.randint(4, 16), c.start, min(self.today, end + dt.timedelta(days=400))
        )
        self._notes(c, rng.randint(1, 6), c.start, min(self.today, end + dt.timedelta(days=400)))

    def _big(self, c: _Case, target: int) -> None:
        """A long, busy case: years of sessions, panels, accounts and contacts."""
        c.referral["outcome"] = Referral.Outcome.TO_PANEL.value
        met = c.start + dt.timedelta(days=21)
        self._meeting(c, met, "adopt")
        c.case["consent"], c.case["consent_on"] = Case.Consent.GIVEN.value, met
        before = self._count_case_rows()
        sessions = max(10, target // 6)
        self._intervention(
            c, met, sessions=sessions, every=(3, 6), review_every=30, accounts=target // 40
        )
        made = self._count_case_rows() - before
        rest = max(0, target - made - 3)
        self._contacts(c, rest * 3 // 4, c.start, self.today)
        self._notes(c, rest - rest * 3 // 4, c.start, self.today)

    def _count_case_rows(self) -> int:
        return sum(
            len(self.batch.rows[m])
            for m in MODELS[2:]
            if m not in (PanelAttendance, PanelAction, FollowUpReview)
        )

    # ------------------------------------------------------------ parts

    def _meeting(self, c: _Case, on: dt.date, decision: str) -> dict:
        rng, world = self.rng, self.world
        risk = rng.choice(("low", "medium", "medium", "high"))
        meeting = self._record(
            PanelMeeting,
            c.case,
            c.panel,
            on,
            rng.choice(
                (
                    "Panel discussed the referral and the vulnerability assessment.",
                    "Panel reviewed progress with the provider's update.",
                    "Panel considered new information from the police.",
                )
            ),
            user=c.owner,
            risk_level=risk,
        )
        c.case["risk_level"] = risk
        present = {
            c.lead,
            c.panel,
            *rng.sample(
                world.of(Agency.Kind.POLICE, c.region)
                + world.of(Agency.Kind.HEALTH)
                + world.of(Agency.Kind.EDUCATION),
                2,
            ),
        }
        for agency in sorted(present):
            self._add(
                PanelAttendance,
                {"meeting_id": meeting["id"], "agency_id": agency},
                c.owner,
                meeting["logged_on"],
            )
        kind = {"adopt": "adopt", "not_adopt": "not_adopt", "continue": "continue"}[decision]
        self._record(
            PanelDecision,
            c.case,
            c.panel,
            on,
            PanelDecision.Kind(kind).label,
            user=c.owner,
            logged=meeting["logged_on"],
            late_reason=meeting["late_reason"],
            meeting_id=meeting["id"],
            kind=kind,
            rationale=rng.choice(
                (
                    "Vulnerable to radicalisation; consents to support.",
                    "Risk reduced but support should continue.",
                    "Needs are better met by another service.",
                )
            ),
        )
        if decision == "adopt":
            c.case["status"] = Case.Status.PANEL.value
        for _ in range(rng.choice((0, 1, 1, 2))):
            due = on + dt.timedelta(days=rng.randint(7, 42))
            done = None
            if due < self.today and rng.random() < 0.85:
                done = min(self.today, due + dt.timedelta(days=rng.randint(-5, 10)))
                done = max(done, on)
            self._add(
                PanelAction,
                {
                    "case_id": c.case["id"],
                    "meeting_id": meeting["id"],
                    "description": rng.choice(ACTIONS),
                    "owner_id": rng.choice(
                        (c.owner, c.owner, rng.choice(self.world.staff[c.lead]))
                    ),
                    "due_on": due,
                    "completed_on": done,
                },
                c.owner,
                meeting["logged_on"],
            )
        return meeting

    def _intervention(
        self,
        c: _Case,
        met: dt.date,
        *,
        sessions: int,
        every=(10, 21),
        review_every: int = 90,
        accounts: int | None = None,
    ) -> dt.date:
        """Provider, briefing, sessions, review panels, accounts, exit and reviews; returns the end."""
        rng, world = self.rng, self.world
        provider = rng.choice(world.of(Agency.Kind.INTERVENTION_PROVIDER))
        workers = world.providers.get(provider) or [None]
        assigned = met + dt.timedelta(days=rng.randint(5, 21))
        if assigned > self.today:
            return met
        c.case["status"] = Case.Status.INTERVENTION.value
        assignment = self._record(
            ProviderAssignment,
            c.case,
            provider,
            assigned,
            f"Commissioned for {sessions} mentoring sessions.",
            user=c.owner,
            sessions_planned=sessions,
            provider_worker_id=rng.choice(workers),
        )
        provider_user = assignment["provider_worker_id"] or c.owner
        first = assigned + dt.timedelta(days=rng.randint(7, 21))
        briefing = rng.random()
        if briefing < 0.75:  # issued before the first session
            self._briefing(
                c, assignment, self._when(assigned, min(first, self.today)), provider_user
            )
        elif briefing < 0.85 and first + dt.timedelta(days=20) < self.today:  # issued late
            self._briefing(
                c, assignment, first + dt.timedelta(days=rng.randint(1, 20)), provider_user
            )
        # else: never issued (NO_WRITTEN_BRIEFING)

        held_dates: list[dt.date] = []
        when, last = first, assigned
        no_sessions = rng.random() < 0.05 and not accounts
        next_review = met + dt.timedelta(days=review_every)
        for number in range(0 if no_sessions else sessions):
            if when > self.today + dt.timedelta(days=40):
                break
            while next_review < min(when, self.today):
                self._meeting(c, next_review, "continue")
                next_review += dt.timedelta(days=review_every + rng.randint(-7, 7))
            self._session(c, assignment, when, number + 1, provider_user, held_dates)
            last = when
            when += dt.timedelta(days=rng.randint(*every))
        count = accounts if accounts is not None else rng.choice((0, 1, 1, 2, 3))
        for _ in range(count):
            self._account(
                c, held_dates, self._when(assigned, min(self.today, last + dt.timedelta(days=30)))
            )
        if last > self.today - dt.timedelta(days=14) or (accounts is not None):
            return self.today
        exit_on = last + dt.timedelta(days=rng.randint(14, 60))
        if exit_on > self.today or rng.random() < 0.1:
            return last  # still in support
        self._exit(c, exit_on, bool(held_dates))
        return exit_on

    def _briefing(self, c: _Case, assignment: dict, on: dt.date, provider_user: int) -> None:
        ack = None
        if self.rng.random() < 0.7:
            ack = min(self.today, on + dt.timedelta(days=self.rng.randint(0, 7)))
        self._record(
            Briefing,
            c.case,
            c.lead,
            on,
            "Written briefing issued to the provider.",
            user=c.owner,
            assignment_id=assignment["id"],
            issued_by=self.world.names.get(c.owner, ""),
            document_ref=f"BRF-{on.year}-{self.rng.randrange(1000):03d}",
            acknowledged_on=ack,
        )

    def _session(
        self, c: _Case, assignment: dict, on: dt.date, number: int, user: int, held: list[dt.date]
    ) -> None:
        rng = self.rng
        planned_first = on > self.today or rng.random() < 0.5
        plan = {}
        if planned_first:
            plan_on = max(assignment["occurred_on"], on - dt.timedelta(days=rng.randint(3, 14)))
            plan_on = min(plan_on, self.today)
            plan = {
                "plan_logged_on": plan_on,
                "plan_logged_by_id": user,
                "plan_summary": f"Session {number} arranged.",
                "plan_source": "",
            }
        if on > self.today or (planned_first and rng.random() < 0.02):
            self._record(
                InterventionSession,
                c.case,
                assignment["agency_id"],
                on,
                f"Session {number} arranged.",
                user=user,
                logged=plan["plan_logged_on"],
                assignment_id=assignment["id"],
                status="planned",
                **plan,
            )
            return
        status = rng.choices(("held", "cancelled", "dna"), weights=(80, 12, 8))[0]
        logged, late = self._lag(on)
        if plan:
            logged = max(logged, plan["plan_logged_on"])
        summary = (
            self._text(SESSION_TEXT)
            if status == "held"
            else (
                "Session cancelled by the provider." if status == "cancelled" else "Did not attend."
            )
        )
        self._record(
            InterventionSession,
            c.case,
            assignment["agency_id"],
            on,
            summary,
            user=user,
            logged=logged,
            late_reason=late,
            assignment_id=assignment["id"],
            status=status,
            provider_report="Engaged well; see the session notes." if status == "held" else "",
            **plan,
        )
        if status == "held":
            held.append(on)

    def _account(self, c: _Case, held: list[dt.date], on: dt.date) -> None:
        rng = self.rng
        agency = rng.choice((c.panel, c.lead, *self.world.of(Agency.Kind.POLICE, c.region)))
        by_then = sum(1 for d in held if d <= on)
        if rng.random() < 0.3:  # contradicts the record
            believed, status = by_then + rng.randint(1, 4), "ongoing"
            if by_then == 0 and rng.random() < 0.5:
                believed, status = None, "completed"
        else:
            believed = by_then if rng.random() < 0.7 else None
            status = rng.choice(("ongoing", "ongoing", "completed")) if by_then else "not_started"
        summary = (
            f"Stated that {believed} sessions had taken place."
            if believed is not None
            else f"Stated that the intervention was {status.replace('_', ' ')}."
        )
        month_only = (
            rng.random() < 0.03 and on.replace(day=1) >= c.start and month_end(on) < self.today
        )
        self._record(
            AgencyAccount,
            c.case,
            agency,
            on,
            summary,
            user=c.owner,
            month_only=month_only,
            sessions_believed=believed,
            believed_status=status,
            source_kind=rng.choice(("minutes", "email", "phone", "letter")),
        )

    def _exit(self, c: _Case, on: dt.date, had_sessions: bool) -> None:
        rng = self.rng
        risk = rng.choice(("very_low", "low", "low"))
        case_exit = self._record(
            CaseExit,
            c.case,
            c.panel,
            on,
            "Case exited from Channel.",
            user=c.owner,
            risk_level=risk,
            rationale="Risk reduced; support complete.",
            gate_override_reason="" if had_sessions else "Exited on the panel's judgement.",
        )
        c.case["status"], c.case["risk_level"] = Case.Status.EXITED.value, risk
        held_both = True
        for kind, months in (("6_month", 6), ("12_month", 12)):
            due = add_months(on, months)
            row = {
                "case_id": c.case["id"],
                "exit_id": case_exit["id"],
                "exited_on": on,
                "kind": kind,
                "due_on": due,
                "owner_id": c.owner,
                "state": "scheduled",
                "conducted_on": None,
                "logged_on": None,
                "logged_by_id": None,
                "agency_id": None,
            }
            roll = rng.random()
            grace_end = due + dt.timedelta(days=14)
            if grace_end < self.today and roll < 0.82:
                if roll < 0.65:
                    done = due + dt.timedelta(days=rng.randint(-10, 14))
                else:  # held late
                    done = min(self.today, grace_end + dt.timedelta(days=rng.randint(1, 90)))
                logged, late = self._lag(done, late_share=0.05)
                row |= {
                    "state": "held",
                    "conducted_on": done,
                    "logged_on": logged,
                    "logged_by_id": c.owner,
                    "agency_id": c.lead,
                    "late_reason": late,
                    "summary": f"{months}-month review: no further concerns.",
                    "participants": "Caseworker; the person; parent",
                }
            elif grace_end < self.today and roll < 0.85:
                row |= {"state": "not_possible", "closed_reason": "Moved out of the area."}
                held_both = False
            else:  # missed (past due and never held) or upcoming
                held_both = False
            self._add(FollowUpReview, row, c.owner, case_exit["logged_on"])
        if held_both and rng.random() < 0.5:
            c.case["status"] = Case.Status.CLOSED.value

    def _contacts(self, c: _Case, count: int, start: dt.date, end: dt.date) -> None:
        rng = self.rng
        end = min(end, self.today)
        for _ in range(count):
            on = self._when(start, end)
            agency = rng.choice((c.lead, c.lead, *self.world.of(Agency.Kind.POLICE, c.region)))
            restricted = rng.random() < 0.04 and self.world.kinds[agency] == Agency.Kind.POLICE
            self._void(
                self._record(
                    Contact,
                    c.case,
                    agency,
                    on,
                    self._text(CONTACTS),
                    user=c.owner,
                    month_only=rng.random() < 0.02
                    and on.replace(day=1) >= c.start
                    and month_end(on) < self.today,
                    kind=rng.choice(("call", "visit", "email", "meeting", "letter", "other")),
                    with_whom=rng.choice(("the person", "parent", "school", "police", "")),
                    restricted=restricted,
                ),
                c.owner,
            )

    def _notes(self, c: _Case, count: int, start: dt.date, end: dt.date) -> None:
        for _ in range(count):
            on = self._when(start, min(end, self.today))
            self._void(
                self._record(CaseNote, c.case, c.lead, on, self._text(NOTES), user=c.owner), c.owner
            )

    def _void(self, row: dict, user: int) -> None:
        if self.rng.random() < 0.005:
            row["voided_at"] = min(
                self.now, row["created_at"] + dt.timedelta(days=self.rng.randint(1, 5))
            )
            row["voided_by_id"] = user
            row["void_reason"] = "Entered on the wrong case."


@dataclass
class _Case:
    case: dict
    referral: dict
    owner: int
    lead: int
    panel: int
    region: str
    start: dt.date


def user_specs() -> list[dict]:
    """The ~200 seeded users: caseworkers and supervisors per agency, providers, panel chairs."""
    rng = random.Random(1)
    specs = []
    counters: dict[str, int] = {}

    def add(role: str, agency: str):
        counters[role] = counters.get(role, 0) + 1
        short = {"caseworker": "cw", "supervisor": "sup", "provider": "ip", "panel_chair": "chair"}[
            role
        ]
        specs.append(
            {
                "username": f"scale.{short}.{counters[role]:03d}",
                "role": role,
                "agency": agency,
                "first_name": rng.choice(FIRST),
                "last_name": rng.choice(LAST),
            }
        )

    for name, kind, _ in AGENCIES:
        if kind == Agency.Kind.INTERVENTION_PROVIDER:
            for _ in range(5):
                add(User.Role.PROVIDER.value, name)
            continue
        for _ in range(2):
            add(User.Role.SUPERVISOR.value, name)
        if kind == Agency.Kind.CHANNEL_PANEL:
            add(User.Role.PANEL_CHAIR.value, name)
        for _ in range(17):
            add(User.Role.CASEWORKER.value, name)
    return specs


def big_case_sizes(cases: int) -> list[int]:
    """A few very large cases for a national archive (none in small data sets)."""
    if cases < 2000:
        return []
    return [500, 520, 1000, 1050, 1250, 1500, 1750, 2000]
