"""The settings modules: production passes Django's deploy checks, and development falls back to
the embedded default (SQLite, eager tasks) only when nothing is configured.

Each case runs in a fresh interpreter, because settings are read once at import."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Everything the settings read that could leak in from the developer's or CI's environment.
CONFIG_VARS = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    # Set by the browser tests for the live server; a deployment never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)

PRINT_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "host": db.get("HOST", ""),
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "debug": settings.DEBUG,
}))
"""


def clean_env(settings_module: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and fixed arguments)
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def loaded_settings(env: dict[str, str]) -> dict[str, object]:
    result = run(["-c", PRINT_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


@pytest.fixture(autouse=True)
def _no_local_env_file() -> None:
    # base.py reads ./.env; a developer's own file would decide these tests, not the defaults.
    if (ROOT / ".env").exists():
        pytest.skip("a local .env file overrides the defaults under test")


def test_production_settings_pass_the_deploy_checks() -> None:
    env = clean_env(
        "vum.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="vum.example.dk",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/vum",
    )
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_database() -> None:
    env = clean_env(
        "vum.settings.prod", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="vum.example.dk"
    )
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_with_nothing_configured_dev_uses_sqlite_and_eager_tasks() -> None:
    loaded = loaded_settings(clean_env("vum.settings.dev"))
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert str(loaded["name"]).endswith("db.sqlite3")
    assert loaded["broker"] == "memory://"
    assert loaded["eager"] is True
    assert loaded["debug"] is True


def test_with_database_and_redis_configured_dev_uses_them() -> None:
    env = clean_env(
        "vum.settings.dev",
        DATABASE_URL="postgres://vum:secret@db.example.dk:5433/vumdb",
        REDIS_URL="redis://redis.example.dk:6379/2",
    )
    loaded = loaded_settings(env)
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["name"] == "vumdb"
    assert loaded["host"] == "db.example.dk"
    assert loaded["broker"] == "redis://redis.example.dk:6379/2"
    assert loaded["eager"] is False
