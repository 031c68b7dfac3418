"""Save PNGs of the main pages into docs/screenshots/ (`make screenshots`).

Builds a throwaway SQLite database with the demo data, starts `manage.py runserver`
on 127.0.0.1:8765 against it, drives Debian's Chromium through Playwright, and stops
the server again. Nothing else is touched: not db.sqlite3, not the PostgreSQL database.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--keep-db]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
DB_PATH = Path("/tmp/casereview-shots.db")
SERVER_LOG = Path("/tmp/casereview-shots-server.log")
HOST, PORT = "127.0.0.1", 8765
BASE = f"http://{HOST}:{PORT}"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "demo-password"  # reviews.sampledata.demo.DEMO_PASSWORD
FAILURE_REF = "CR-2015-00007"  # reviews.sampledata.demo.FAILURE_REF: the pattern casereview exposes
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{DB_PATH}",
            "DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "casereview.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=server_env(), check=True)


def wait_for_server(process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"runserver exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{BASE}/accounts/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"runserver did not answer on {BASE} within {timeout:.0f} s")


def sign_in(page, username: str) -> None:
    page.goto(f"{BASE}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        raise SystemExit(f"Could not sign in as {username!r}")


def visit(page, path: str) -> None:
    response = page.goto(f"{BASE}{path}")
    if response is None or response.status != 200:
        raise SystemExit(f"{path} answered {response.status if response else 'nothing'}")


def shoot(page, out: Path, name: str, saved: list[Path], *, full_page: bool = True) -> None:
    # GOV.UK Frontend has started (no half-styled page), and nothing is still loading.
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    page.wait_for_load_state("networkidle")
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    saved.append(path)
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def take_screenshots(out: Path) -> list[Path]:
    saved: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            desk = browser.new_context(viewport=DESKTOP, locale="en-GB")
            page = desk.new_page()
            visit(page, "/accounts/login/")
            shoot(page, out, "01-sign-in", saved)

            sign_in(page, "caseworker")
            shoot(page, out, "02-my-cases", saved)

            visit(page, f"/cases/{FAILURE_REF}/")
            shoot(page, out, "03-case-page-failure-case", saved)

            visit(page, f"/cases/{FAILURE_REF}/timeline/")
            shoot(page, out, "04-timeline-failure-case", saved)

            # A session dated before the referral (12 January 2015): the error summary.
            visit(page, f"/cases/{FAILURE_REF}/sessions/new/")
            date = page.get_by_role("group", name="Date of session", exact=True)
            date.get_by_label("Day").fill("5")
            date.get_by_label("Month").fill("1")
            date.get_by_label("Year").fill("2015")
            page.get_by_role("group", name="What happened").get_by_label("Held").check()
            page.get_by_label("Summary").fill("Met at the library")
            page.get_by_role("button", name="Save session").click()
            expect(page.locator(".govuk-error-summary")).to_be_visible()
            shoot(page, out, "05-form-with-errors", saved)
            desk.close()

            desk = browser.new_context(viewport=DESKTOP, locale="en-GB")
            page = desk.new_page()
            sign_in(page, "supervisor")
            visit(page, "/dashboard/")
            shoot(page, out, "07-supervisor-dashboard", saved)
            desk.close()

            phone = browser.new_context(
                viewport=PHONE,
                locale="en-GB",
                is_mobile=True,
                has_touch=True,
                device_scale_factor=2,
            )
            page = phone.new_page()
            sign_in(page, "provider")
            if not page.url.endswith("/provider/"):
                visit(page, "/provider/")
            # The demo provider has dozens of cases: one phone screen of them, not the whole list.
            shoot(page, out, "06-provider-list-phone", saved, full_page=False)
            phone.close()
        finally:
            browser.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help=f"reuse {DB_PATH} if it exists instead of building it again",
    )
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if not Path(CHROMIUM).exists():
        print(f"Chromium is needed at {CHROMIUM}: run `make chromium`.", file=sys.stderr)
        return 1

    if not (args.keep_db and DB_PATH.exists()):
        DB_PATH.unlink(missing_ok=True)
        print(f"Building the demo database in {DB_PATH}")
        manage("migrate", "--noinput", "-v", "0")
        manage("load_demo")

    print(f"Starting runserver on {BASE}")
    log = SERVER_LOG.open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
        cwd=ROOT,
        env=server_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_server(server)
        print(f"Saving screenshots into {out}")
        saved = take_screenshots(out)
    except BaseException:
        print(f"Failed; the server's log is in {SERVER_LOG}", file=sys.stderr)
        raise
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    print(f"{len(saved)} screenshots saved.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
