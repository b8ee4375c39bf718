"""Configuration from the environment: both databases migrate, and a bad
variable stops start-up with one line naming it."""

import os
import subprocess
import sys
import uuid

import pytest

from tests.paths import ROOT


def manage(*args, **env_changes):
    # DJANGO_ALLOW_ASYNC_UNSAFE is pytest-playwright's, never a deployment's.
    dropped = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    "variable,value",
    [
        ("DEBUG", "perhaps"),
        ("DATABASE_URL", "mysql://db/concord"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("EMAIL_PORT", "twenty-five"),
        ("API_THROTTLE_ANON", "lots"),
        ("API_THROTTLE_USER", "1200 a minute"),
        ("API_TOKEN_RECENT_SIGN_IN_MINUTES", "fifteen"),
        ("SMALL_NUMBERS_MIN_OTHERS", "1"),  # one other's figure would be given away
        ("SECRET_KEY", ""),  # empty is the same as unset: the default applies
    ],
)
def test_bad_environment_variable_stops_start_up_naming_it(variable, value):
    result = manage("check", **{variable: value})
    if variable == "SECRET_KEY":
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr


def test_production_needs_a_secret_key():
    result = manage("check", PRODUCTION="true", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_embedded_sqlite_default_migrates(tmp_path):
    database = tmp_path / "concord.sqlite3"
    result = manage("migrate", "--noinput", DATABASE_URL=f"sqlite:///{database}")
    assert result.returncode == 0, result.stderr
    assert database.exists()
    result = manage("migrate", "--check", DATABASE_URL=f"sqlite:///{database}")
    assert result.returncode == 0, result.stdout + result.stderr


def test_postgresql_migrates(postgres_url):
    import psycopg2
    from psycopg2 import sql

    name = f"concord_migrate_{uuid.uuid4().hex[:8]}"
    base = postgres_url.rsplit("/", 1)[0]
    admin = psycopg2.connect(postgres_url)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        result = manage("migrate", "--noinput", DATABASE_URL=f"{base}/{name}")
        assert result.returncode == 0, result.stderr
        result = manage("migrate", "--check", DATABASE_URL=f"{base}/{name}")
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        admin.close()


def test_no_model_changes_lack_a_migration():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PRODUCTION="true",
        SECRET_KEY=uuid.uuid4().hex * 2,
        ALLOWED_HOSTS="concord.example.nhs.uk",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "broker,cache",
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379/1"),
        ("rediss://:secret@cache.example:6380/4", "rediss://:secret@cache.example:6380/5"),
    ],
)
def test_the_cache_defaults_to_the_brokers_next_redis_database(broker, cache):
    from config.env import redis_neighbour

    assert redis_neighbour(broker) == cache


def test_the_cache_may_not_share_the_brokers_redis_database():
    url = "redis://127.0.0.1:6379/3"
    result = manage("check", REDIS_URL=url, CACHE_REDIS_URL=url)
    assert result.returncode != 0
    assert "CACHE_REDIS_URL" in result.stderr
    assert "Traceback" not in result.stderr
