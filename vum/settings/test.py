"""Tests run against the real PostgreSQL and Redis (DATABASE_URL / REDIS_URL may override)."""

import os

from vum.settings.base import *  # noqa: F403
from vum.settings.base import DATABASES, env

DATABASES["default"] = env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/vum")
DATABASES["default"]["CONN_MAX_AGE"] = 0
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_TASK_ALWAYS_EAGER = False
# Test processes share Redis: each gets its own queue (per run and per pytest-xdist worker), so
# a worker started by one never runs a task against another's test database, and a purge by one
# never empties another's queue.
_TEST_RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))
# A process a test starts (a worker, a web server) is given its test's queue.
CELERY_TASK_DEFAULT_QUEUE = env.str(
    "CELERY_TASK_DEFAULT_QUEUE",
    default=f"vum-test-{_TEST_RUN}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}",
)
# Static files come from the app folders (tests never run collectstatic); autorefresh makes
# WhiteNoise look files up per request instead of scanning the absent STATIC_ROOT at start-up.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECRET_KEY = "test-only-key"  # noqa: S105
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
