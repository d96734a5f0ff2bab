"""Settings shared by every environment; all deployment-specific values come from the environment.

Read once, here, through django-environ. With nothing configured the app runs on an embedded
SQLite database and runs Celery tasks eagerly, so a newcomer can try it without services.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "djangosaml2",
    "vum.accounts",
    "vum.audit",
    "vum.catalog",
    "vum.notifications",
    "vum.deadlines",
    "vum.idempotency",
    "vum",
    "cases",
    "assessment",
    "orders",
    "followup",
    "tooling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files need no policy. Outside every view and idempotency's replay.
    "csp.middleware.CSPMiddleware",
    # Inside the CSP middleware, so that its mark on a PDF response is seen there (vum/headers.py).
    "vum.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The SAML login's own cookie (djangosaml2): the request ids sent to the identity provider,
    # which its answer must match. SameSite=None, as that answer is a cross-site POST.
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session given the second factor (vum.accounts)?
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A form's own address opened as a page goes to its page, not to an empty 405.
    "vum.form_addresses.FormAddressMiddleware",
    # After messages and htmx (an expired session says why, and an htmx request is sent to the
    # login page whole); the session limits first, so that an expired session is not asked for
    # its second factor.
    "vum.accounts.middleware.SessionLimitMiddleware",
    "vum.accounts.middleware.TwoFactorMiddleware",
    "vum.audit.middleware.AuditContextMiddleware",
    "vum.catalog.middleware.CatalogNotLoadedMiddleware",
    # After the CSRF check and the session: a repeated write gets the first one's response.
    "vum.idempotency.middleware.IdempotencyMiddleware",
    # Last, so that a locked-out login attempt is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vum.urls"
WSGI_APPLICATION = "vum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vum.notifications.context_processors.unread_notifications",
            ],
            # {% form_token %} in every form that writes, without a {% load %} in each template.
            "builtins": ["vum.idempotency.templatetags.idempotency"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# The covering index on a team's cases (cases.Sag) is a PostgreSQL optimisation; SQLite, the
# embedded default for a demo, builds it without its included columns, which is fine there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "vum.accounts.backends.UserBackend",
    # Logins through the municipality's identity provider (docs/login.md); each answers only
    # for its own protocol's credentials.
    "vum.accounts.federation.saml.SamlBackend",
    "vum.accounts.federation.oidc.OidcBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A session ends after SESSION_IDLE_MINUTES without a request (htmx ones count), and
# SESSION_ABSOLUTE_HOURS after login whatever the user does; each page warns
# SESSION_WARNING_MINUTES before either (vum.accounts.middleware.SessionLimitMiddleware).
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=60)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
SESSION_WARNING_MINUTES = env.int("SESSION_WARNING_MINUTES", default=5)
# The stored session outlives neither limit. The middleware writes the last activity into the
# session on every signed-in request, which saves it; nothing else needs saving every time.
SESSION_COOKIE_AGE = int(timedelta(hours=SESSION_ABSOLUTE_HOURS).total_seconds())
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A second factor (TOTP, django-otp) for local logins: required of administrators (and anyone
# with the admin site), optional for others. Off once an identity provider does the login, as
# it answers for the second factor itself.
VUM_LOCAL_LOGIN_2FA = env.bool("VUM_LOCAL_LOGIN_2FA", default=True)
# The name authenticator apps show beside the code.
OTP_TOTP_ISSUER = "vum"
# Administrators manage devices in the admin site but never see another user's secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Reverse proxies in front of the app: the client's address is read from X-Forwarded-For this many
# entries from the right (vum.client_ip), for the audit trail and for axes alike. (Axes's own
# AXES_IPWARE_PROXY_COUNT needs django-ipware, which is not installed: it read REMOTE_ADDR.)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "vum.client_ip.client_ip"

LANGUAGE_CODE = "da"
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Content-Security-Policy (django-csp; docs/security.md). Scripts and styles come from our own
# static files only: no inline script, event handler or style attribute in any template (a test
# scans templates/), and htmx runs without eval (the htmx-config meta tag in base.html). A
# template that must inline a <script> or <style> gives it nonce="{{ request.csp_nonce }}".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for the empty favicon in base.html and the icons in Swagger UI's stylesheet.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
# Without a broker the embedded default runs tasks in-process, at once.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL.startswith(("redis", "amqp"))
)
CELERY_TASK_EAGER_PROPAGATES = True
# A request that queues a task after commit must not hang on a broker that is down: one quick
# retry, then the failure is logged (vum.queue) and the sweeps do the work.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# How often the leaders' dashboard figures take in the cases changed since (a change shows within
# this and the update's own time, a fraction of a second), and the hour of the night they are
# rebuilt from scratch as a check (a rebuild reads every case: minutes at 200,000 citizens).
VUM_NOEGLETAL_SECONDS = env.int("VUM_NOEGLETAL_SECONDS", default=30)
VUM_NOEGLETAL_REBUILD_HOUR = env.int("VUM_NOEGLETAL_REBUILD_HOUR", default=2)

# KL's FFB data set (docs/ffb-reporting.md): where each day's DeliveryReports go (a class with
# `deliver`: FolderTransport writes them to VUM_FFB_DIR; NationalGatewayTransport refuses until
# the gateway is agreed with KL/KOMBIT), the municipality's KOMBIT STS organisation UUID (every
# bundle names it; empty: nothing is delivered), the identifier system of the case numbers, the
# hour the day's run starts (for yesterday) and how many citizens are read per batch.
VUM_FFB_TRANSPORT = env.str(
    "VUM_FFB_TRANSPORT", default="followup.ffb_dataset.transport.FolderTransport"
)
VUM_FFB_DIR = env.path("VUM_FFB_DIR", default=BASE_DIR / "var" / "ffb")
VUM_FFB_KOMMUNE = env.str("VUM_FFB_KOMMUNE", default="")
VUM_FFB_SAGSNUMMER_SYSTEM = env.str("VUM_FFB_SAGSNUMMER_SYSTEM", default="")
VUM_FFB_HOUR = env.int("VUM_FFB_HOUR", default=1)
VUM_FFB_BATCH_SIZE = env.int("VUM_FFB_BATCH_SIZE", default=500)

CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "close-passed-meetings": {
        "task": "vum.deadlines.close_passed_meetings",
        "schedule": timedelta(minutes=10),
    },
    # The sweeps read what is due from the database; a missed run is caught up by the next one.
    "deliver-due-warnings": {
        "task": "vum.deadlines.deliver_due_warnings",
        "schedule": timedelta(minutes=1),
    },
    "send-emails": {"task": "vum.notifications.send_emails", "schedule": timedelta(minutes=1)},
    "purge-idempotency-keys": {"task": "vum.idempotency.purge", "schedule": timedelta(hours=1)},
    "dispatch-letters": {
        "task": "assessment.dispatch_pending_letters",
        "schedule": timedelta(minutes=1),
    },
    "plan-committee-meetings": {
        "task": "assessment.plan_committee_meetings",
        "schedule": timedelta(hours=24),
    },
    "plan-follow-ups": {"task": "followup.plan_follow_ups", "schedule": timedelta(hours=24)},
    "update-dashboard": {
        "task": "followup.update_dashboard",
        "schedule": timedelta(seconds=VUM_NOEGLETAL_SECONDS),
    },
    "refresh-dashboard": {
        "task": "followup.refresh_dashboard",
        "schedule": crontab(hour=VUM_NOEGLETAL_REBUILD_HOUR, minute=30),
    },
    # Yesterday's FFB data set, after the day has ended (docs/ffb-reporting.md).
    "deliver-ffb-data-set": {
        "task": "followup.deliver_ffb_data_set",
        "schedule": crontab(hour=VUM_FFB_HOUR, minute=15),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an unauthenticated call gets 401 with a WWW-Authenticate header.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "vum.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "vum.api.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "vum.api.exception_handler",
}
# API tokens (django-rest-knox, POST /api/v1/auth/token/): only a digest is stored, and each login
# gives a new token that lasts a working day. No auto-refresh: a fixed end bounds what a leaked
# token is worth, however busily it is used; the client logs in again after `udloeber`.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=10)),
    "AUTO_REFRESH": False,
    # The keyword of DRF's authtoken, which the clients already send.
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "vum API",
    "DESCRIPTION": "Sagsbehandling efter VUM 2.0 for voksenhandicap- og psykiatriområdet.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "vum.idempotency.schema.add_idempotency_key",
    ],
    # Choice sets used by more than one field get one name each.
    "ENUM_NAME_OVERRIDES": {
        "OpfoelgningsintervalEnum": "assessment.models.Opfoelgningsinterval",
        "PlanstatusEnum": "assessment.models.Sagsvurdering.Handleplanstatus",
        "PrislinjeEnhedEnum": "assessment.models.Prislinje.Enhed",
        "BestillingStatusEnum": "orders.models.Bestilling.Status",
        "DelmaalStatusEnum": "orders.models.Delmaal.Status",
        "MagtanvendelseTypeEnum": "orders.models.Magtanvendelse.Type",
        "AnmodningArtEnum": "orders.models.Anmodning.Art",
        "OpfoelgningStatusEnum": "followup.models.Opfoelgning.Status",
        "OpfoelgningFormEnum": "followup.models.Opfoelgning.Form",
        "OpfoelgningsskemaFormEnum": "followup.models.Opfoelgningsskema.Form",
        # Named before the follow-up's forms shared the field name; kept for existing clients.
        "FormEnum": "cases.models.Samtykke.Form",
        # Named before Magtanvendelse.type shared the field name; kept for existing clients.
        "TypeEnum": "cases.models.Relation.Type",
    },
}

# The municipality this deployment serves: the slug of its service catalog (letters, deadlines).
VUM_MUNICIPALITY = env.str("VUM_MUNICIPALITY", default="randers")
# The accessibility statement (/tilgaengelighed/): where users report accessibility problems (an
# e-mail address or a web form's address) and the day the statement was last reviewed (ISO).
VUM_ACCESSIBILITY_CONTACT = env.str("VUM_ACCESSIBILITY_CONTACT", default="")
VUM_ACCESSIBILITY_REVIEWED = env.str("VUM_ACCESSIBILITY_REVIEWED", default="2026-12-07")
# Citizens shown by one user's searches within an hour above which the administrators are told.
VUM_BULK_LOOKUP_ALERT_PER_HOUR = env.int("VUM_BULK_LOOKUP_ALERT_PER_HOUR", default=200)
# Days the administration is closed without being public holidays (MM-DD): grundlovsdag,
# juleaftensdag and nytårsaftensdag. Deadlines that end on them move to the next working day.
VUM_CLOSED_DAYS = env.list("VUM_CLOSED_DAYS", default=["06-05", "12-24", "12-31"])

# Deadline warnings, in steps before and after the due time. `dage_foer`: days before the due
# day, delivered at VUM_WARNING_HOUR; None: just after the deadline has passed.
VUM_DEADLINE_WARNINGS: list[dict[str, Any]] = [
    {"trin": "7_dage_foer", "titel": "Frist om 7 dage", "dage_foer": 7},
    {"trin": "paa_dagen", "titel": "Frist i dag", "dage_foer": 0},
    {"trin": "overskredet", "titel": "Frist overskredet", "dage_foer": None},
]
VUM_WARNING_HOUR = env.int("VUM_WARNING_HOUR", default=7)
VUM_WARNING_BATCH_SIZE = env.int("VUM_WARNING_BATCH_SIZE", default=500)

# How letters reach the citizen: vum.dispatch.FileDispatcher (a folder) or EmailDispatcher here;
# Digital Post in production (a dispatcher class with the same interface).
VUM_LETTER_DISPATCHER = env.str("VUM_LETTER_DISPATCHER", default="vum.dispatch.FileDispatcher")
VUM_LETTER_DIR = env.path("VUM_LETTER_DIR", default=BASE_DIR / "var" / "breve")
# Digital Post (VUM_LETTER_DISPATCHER = vum.serviceplatformen.digital_post.DigitalPostDispatcher,
# with VUM_SERVICEPLATFORMEN test or prod): the sender's name in the recipient's mailbox, and the
# KLE classification every letter carries (the municipality's journal plan; empty: none).
VUM_DIGITAL_POST_SENDER = env.str("VUM_DIGITAL_POST_SENDER", default="Kommunen")
VUM_DIGITAL_POST_KLE = env.str("VUM_DIGITAL_POST_KLE", default="")
VUM_DIGITAL_POST_KLE_LABEL = env.str("VUM_DIGITAL_POST_KLE_LABEL", default="")
VUM_DIGITAL_POST_KLE_VERSION = env.str("VUM_DIGITAL_POST_KLE_VERSION", default="")
VUM_DIGITAL_POST_KLE_FACET = env.str("VUM_DIGITAL_POST_KLE_FACET", default="")
# Physical post for those exempt from Digital Post: the forsendelsestype (a number) agreed
# with Digital Post's print service; empty: such letters become the caseworker's task.
VUM_DIGITAL_POST_FORSENDELSESTYPE = env.str("VUM_DIGITAL_POST_FORSENDELSESTYPE", default="")

# Partshøring: the shortest answer deadline, in days (the municipalities use at least 14).
VUM_PARTSHOERING_MIN_DAYS = env.int("VUM_PARTSHOERING_MIN_DAYS", default=14)
# Working days the caseworker has to answer a provider's request for revisitation or new goals.
VUM_ANMODNING_WORKING_DAYS = env.int("VUM_ANMODNING_WORKING_DAYS", default=10)

# Links in e-mails point here; the Message-ID of each e-mail names this domain.
VUM_BASE_URL = env.str("VUM_BASE_URL", default="http://127.0.0.1:8000")
VUM_EMAIL_DOMAIN = env.str("VUM_EMAIL_DOMAIN", default="vum.local")
# E-mail: consolemail:// prints to the terminal; smtp://user:password@host:587 (or smtp+tls://)
# sends through a mail server.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="vum <noreply@vum.local>")

# Login through the municipality's identity provider (docs/login.md). SAML (KOMBIT's Context
# Handler, OIOSAML 3) is on when the provider's metadata is given, as a file or a URL; OIDC
# (direct federation, e.g. Microsoft Entra ID) when an issuer is. With neither, vum's own
# passwords are the login (the demo). With either, local passwords work only for the usernames in
# VUM_LOCAL_LOGIN_USERS (a break-glass administrator).
VUM_SAML_IDP_METADATA_FILE = env.str("VUM_SAML_IDP_METADATA_FILE", default="")
VUM_SAML_IDP_METADATA_URL = env.str("VUM_SAML_IDP_METADATA_URL", default="")
# Metadata fetched from a URL is fetched again after this long (the provider rolls its keys).
VUM_SAML_METADATA_REFRESH_SECONDS = env.int("VUM_SAML_METADATA_REFRESH_SECONDS", default=3600)
VUM_SAML_ENTITY_ID = env.str("VUM_SAML_ENTITY_ID", default=f"{VUM_BASE_URL}/saml2/metadata/")
# vum's own certificate (FOCES/OCES3 system certificate in production): signs the requests and
# decrypts the assertions unless a separate encryption pair is given.
VUM_SAML_CERT_FILE = env.str("VUM_SAML_CERT_FILE", default="")
VUM_SAML_KEY_FILE = env.str("VUM_SAML_KEY_FILE", default="")
VUM_SAML_ENCRYPTION_CERT_FILE = env.str("VUM_SAML_ENCRYPTION_CERT_FILE", default="")
VUM_SAML_ENCRYPTION_KEY_FILE = env.str("VUM_SAML_ENCRYPTION_KEY_FILE", default="")
# Assertions must be encrypted (OIOSAML 3 requires it of the IdP); false only for a test IdP.
VUM_SAML_WANT_ENCRYPTED_ASSERTIONS = env.bool("VUM_SAML_WANT_ENCRYPTED_ASSERTIONS", default=True)
# How far the identity provider's clock may be from vum's.
VUM_SAML_CLOCK_SKEW_SECONDS = env.int("VUM_SAML_CLOCK_SKEW_SECONDS", default=60)
VUM_SAML_ORGANISATION = env.str("VUM_SAML_ORGANISATION", default="vum")
VUM_SAML_CONTACT_EMAIL = env.str("VUM_SAML_CONTACT_EMAIL", default="")
VUM_OIDC_ISSUER = env.str("VUM_OIDC_ISSUER", default="")
VUM_OIDC_CLIENT_ID = env.str("VUM_OIDC_CLIENT_ID", default="")
VUM_OIDC_CLIENT_SECRET = env.str("VUM_OIDC_CLIENT_SECRET", default="")
# The claim holding the user's roles (Entra ID's app roles: "roles"); each value is looked up in
# the role mapping as a brugersystemrolle.
VUM_OIDC_ROLES_CLAIM = env.str("VUM_OIDC_ROLES_CLAIM", default="roles")
# The claim holding the NSIS assurance level; a provider without one (Entra ID) is given a level
# by VUM_OIDC_ASSURANCE, which the municipality vouches for (e.g. Substantial with MFA enforced).
VUM_OIDC_ASSURANCE_CLAIM = env.str(
    "VUM_OIDC_ASSURANCE_CLAIM", default="https://data.gov.dk/concept/core/nsis/loa"
)
VUM_OIDC_ASSURANCE = env.str("VUM_OIDC_ASSURANCE", default="")
# The lowest NSIS level a login through an identity provider may have: health and social data
# need Substantial (Betydelig).
VUM_LOGIN_MIN_ASSURANCE = env.str("VUM_LOGIN_MIN_ASSURANCE", default="Substantial")
VUM_LOCAL_LOGIN_USERS = env.list("VUM_LOCAL_LOGIN_USERS", default=[])
# KOMBIT's Serviceplatformen (Digital Post, CPR): "off" (the demo: letters to files, citizens
# typed in), "test" (KOMBIT's external test environment) or "prod". The municipality's
# certificate (OCES3/FOCES, PEM) and CVR number are those of its service agreements; the
# addresses are KOMBIT's unless overridden (docs/serviceplatformen.md).
VUM_SERVICEPLATFORMEN = env.str("VUM_SERVICEPLATFORMEN", default="off")
VUM_SERVICEPLATFORMEN_CVR = env.str("VUM_SERVICEPLATFORMEN_CVR", default="")
VUM_SERVICEPLATFORMEN_CERT_FILE = env.str("VUM_SERVICEPLATFORMEN_CERT_FILE", default="")
VUM_SERVICEPLATFORMEN_KEY_FILE = env.str("VUM_SERVICEPLATFORMEN_KEY_FILE", default="")
# The CA bundle that vouches for Serviceplatformen's TLS certificate; empty: the system's.
VUM_SERVICEPLATFORMEN_CA_FILE = env.str("VUM_SERVICEPLATFORMEN_CA_FILE", default="")
VUM_SERVICEPLATFORMEN_URL = env.str("VUM_SERVICEPLATFORMEN_URL", default="")
VUM_SERVICEPLATFORMEN_STS_URL = env.str("VUM_SERVICEPLATFORMEN_STS_URL", default="")
VUM_SERVICEPLATFORMEN_TIMEOUT_SECONDS = env.float(
    "VUM_SERVICEPLATFORMEN_TIMEOUT_SECONDS", default=20.0
)
# Attempts at a call that may be repeated, the waits between them doubling from the backoff.
VUM_SERVICEPLATFORMEN_ATTEMPTS = env.int("VUM_SERVICEPLATFORMEN_ATTEMPTS", default=3)
VUM_SERVICEPLATFORMEN_BACKOFF_SECONDS = env.float(
    "VUM_SERVICEPLATFORMEN_BACKOFF_SECONDS", default=1.0
)
# Digital Post's receipts (PKO_PostStatus) through KOMBIT's Beskedfordeler (SF1461): the id of
# the municipality's dueslag (the queue of its subscription); empty, no receipts are fetched and
# Digital Post's acceptance counts as the delivery. The broker is KOMBIT's for the environment of
# VUM_SERVICEPLATFORMEN unless VUM_BESKEDFORDELER_URL names another (amqp[s]://[user:password@]
# host:port/vhost). Fetched each minute, a batch at a time (docs/serviceplatformen.md).
VUM_BESKEDFORDELER_DUESLAG = env.str("VUM_BESKEDFORDELER_DUESLAG", default="")
VUM_BESKEDFORDELER_URL = env.str("VUM_BESKEDFORDELER_URL", default="")
VUM_BESKEDFORDELER_BATCH = env.int("VUM_BESKEDFORDELER_BATCH", default=500)
# A receipt no dispatch of vum's has claimed in this many days is another system's, and goes.
VUM_BESKEDFORDELER_PARK_DAYS = env.int("VUM_BESKEDFORDELER_PARK_DAYS", default=14)
# The administrators are told (once an hour) when a letter Digital Post took has had no receipt
# for this long; Digital Post's receipts normally come within minutes.
VUM_BESKEDFORDELER_OVERDUE_HOURS = env.int("VUM_BESKEDFORDELER_OVERDUE_HOURS", default=6)
CELERY_BEAT_SCHEDULE["fetch-digital-post-receipts"] = {
    "task": "assessment.fetch_digital_post_receipts",
    "schedule": timedelta(minutes=1),
}
# The administrators are told (once an hour) when the oldest letter in the outbox has waited
# longer than this: the sweep runs each minute, so a letter that waits this long is stuck.
VUM_LETTER_OVERDUE_MINUTES = env.int("VUM_LETTER_OVERDUE_MINUTES", default=30)
# CPR lookup (SF1520) when a citizen is registered and on the citizen page: only with this on
# and VUM_SERVICEPLATFORMEN "test" or "prod"; off, citizens are typed in (docs/cpr.md).
VUM_CPR_LOOKUP = env.bool("VUM_CPR_LOOKUP", default=False)
# With the lookup on, the citizens with an open case are read from CPR again each night (at
# VUM_CPR_RECHECK_HOUR) once their facts are older than VUM_CPR_RECHECK_HOURS, and a letter's
# citizen just before it is sent: a new protection, a death or a guardian reaches the case. With
# 12 hours, what vum holds of them is at most a day and a half old (docs/cpr.md).
VUM_CPR_RECHECK_HOURS = env.int("VUM_CPR_RECHECK_HOURS", default=12)
VUM_CPR_RECHECK_HOUR = env.int("VUM_CPR_RECHECK_HOUR", default=3)
CELERY_BEAT_SCHEDULE["recheck-cpr"] = {
    "task": "cases.recheck_cpr",
    "schedule": crontab(hour=VUM_CPR_RECHECK_HOUR, minute=0),
}
# djangosaml2: its configuration is built from the settings above (vum.accounts.federation.saml);
# requests go by HTTP-Redirect (no page of inline script in between); users are found and made
# by the backend, from the role mapping.
SAML_CONFIG_LOADER = "vum.accounts.federation.saml.sp_config_load"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_LOGOUT_REQUEST_PREFERRED_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_SESSION_COOKIE_NAME = "vum_saml"
SAML_IGNORE_LOGOUT_ERRORS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # pysaml2 logs each login's subject at INFO, and xmlschema (under it) each schema it loads:
    # the audit trail records logins, the log keeps to warnings.
    "loggers": {
        "saml2": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},
        "djangosaml2": {"level": "WARNING"},
    },
}
