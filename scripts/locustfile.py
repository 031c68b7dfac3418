"""Signed-in caseworkers and supervisors for `make loadtest` (run by scripts/loadtest.py).

The plan (LOADTEST_PLAN, a JSON file written by scripts/loadtest.py from the
seeded database) gives each simulated person a real seeded login and the cases
they may see and change. Caseworkers search, open case pages and timelines,
log contacts and record sessions; supervisors mostly watch the dashboard.
Requests are named by page so the report gives p50/p95 per page.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text())
PASSWORD = PLAN["password"]
SURNAMES = PLAN["surnames"]
_next = {role: itertools.count() for role in ("caseworker", "supervisor")}


class SignedIn(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 4)  # reading and typing between pages

    def on_start(self):
        people = PLAN[self.role]
        self.person = people[next(_next[self.role]) % len(people)]
        self.rng = random.Random(self.person["username"])
        self.client.get("/accounts/login/", name="sign-in form")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.person["username"],
                "password": PASSWORD,
                "csrfmiddlewaretoken": token,
            },
            name="sign-in",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 302:
                response.failure(
                    f"sign-in refused for {self.person['username']}: {response.status_code}"
                )

    def _case(self) -> str:
        return self.rng.choice(self.person["cases"])

    def _post_form(self, url: str, data: dict, name: str) -> None:
        self.client.get(url, name=f"{name} form")
        data = {**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        with self.client.post(
            url, data=data, name=name, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 302:  # a re-shown form means the save was refused
                response.failure(f"{name} not saved ({response.status_code})")

    @task(3)
    def search(self):
        self.client.get(f"/cases/?q={self.rng.choice(SURNAMES)[:5]}", name="case search")

    @task(4)
    def case_page(self):
        self.client.get(f"/cases/{self._case()}/", name="case page")

    @task(2)
    def timeline(self):
        self.client.get(f"/cases/{self._case()}/timeline/", name="timeline")


def _date_fields(name: str, day: dt.date) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


class Caseworker(SignedIn):
    role = "caseworker"
    weight = 4

    @task(1)
    def my_cases(self):
        self.client.get("/", name="my cases")

    @task(1)
    def log_contact(self):
        case = self.rng.choice(self.person["own"])
        self._post_form(
            f"/cases/{case}/contacts/new/",
            {
                "kind": "call",
                **_date_fields("occurred", dt.date.today()),
                "agency": self.person["agency"],
                "with_whom": "the person",
                "summary": "Load test: phoned to check how things are going.",
                "source": "",
                "late_reason": "",
            },
            "log a contact",
        )

    @task(1)
    def record_session(self):
        if not self.person["with_provider"]:
            return
        case = self.rng.choice(self.person["with_provider"])
        self._post_form(
            f"/cases/{case}/sessions/new/",
            {
                **_date_fields("occurred", dt.date.today()),
                "status": "held",
                "summary": "Load test: mentoring session held.",
                "attendees": "",
                "provider_report": "",
                "source": "",
                "late_reason": "",
            },
            "record a session",
        )


class Supervisor(SignedIn):
    role = "supervisor"
    weight = 1

    @task(5)
    def dashboard(self):
        self.client.get("/dashboard/", name="dashboard")
