"""Production: every secret and host comes from the environment; nothing insecure by default.

Required: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (the embedded SQLite default is for trying the
app, not for running it). `manage.py check --deploy` passes with these settings as they are.
"""

from vum.settings.base import *  # noqa: F403
from vum.settings.base import DATABASES, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# No fallback: a production process without a configured database must not start on SQLite.
DATABASES["default"] = env.db("DATABASE_URL")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Persistent connections are checked before reuse: a restarted PostgreSQL fails no request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# TLS ends at the reverse proxy in front of gunicorn, which must set X-Forwarded-Proto (and strip
# any value a client sends). SECURE_SSL_REDIRECT=false is for a stack without such a proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The container healthcheck calls /healthz over plain HTTP from inside the stack.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Cookies travel over HTTPS only; SECURE_COOKIES=false is for a demo stack served over plain HTTP
# on a host other than localhost (browsers accept secure cookies from http://localhost anyway).
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Web processes and workers may start before Redis answers; keep retrying instead of dying.
# Without REDIS_URL the base settings run tasks in-process (eager), as in development.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
