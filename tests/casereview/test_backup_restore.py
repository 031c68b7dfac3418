"""A backup restored into a fresh database is complete: its audit chains still verify.

PostgreSQL (production, CI) is backed up with pg_dump -Fc and restored with
pg_restore, as the README's production section says; SQLite (development) with
SQLite's online backup API. Both then run `verify_audit` against the copy.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from referrals.audit import log_access
from reviews.chronology.csv_format import import_chronology
from tests import factories
from tests.reviews.test_chronology_csv import FAILURE

ROOT = Path(__file__).resolve().parents[2]


def _verify_audit(database_url: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "casereview.test_settings",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _pg_url(name: str) -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_intact_audit(tmp_path):
    user = factories.user("importer", role="admin")
    import_chronology([("failure.csv", FAILURE.encode())], user=user, owner=user, trusted=True)
    log_access(user=user, action="view-case")

    if connection.vendor == "postgresql":
        for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
            assert shutil.which(tool), f"{tool} is needed for PostgreSQL backups"
        source = connection.settings_dict["NAME"]
        dump = tmp_path / "casereview.dump"
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), _pg_url(source)], check=True)
        restored = f"{source}_restored"
        subprocess.run(
            [
                "dropdb",
                "--if-exists",
                "-h",
                "127.0.0.1",
                "-U",
                connection.settings_dict["USER"],
                restored,
            ],
            check=True,
        )
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", connection.settings_dict["USER"], restored],
            check=True,
        )
        try:
            subprocess.run(
                ["pg_restore", "--no-owner", "-d", _pg_url(restored), str(dump)], check=True
            )
            result = _verify_audit(_pg_url(restored))
        finally:
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", connection.settings_dict["USER"], restored]
            )
    else:
        copy = tmp_path / "restored.sqlite3"
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        result = _verify_audit(f"sqlite:///{copy}")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Audit chains intact" in result.stdout
