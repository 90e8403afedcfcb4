"""Parta settings: one module, configured by environment variables.

Without any variable set it runs the demo school on SQLite (var/parta.sqlite3) with a
local-memory cache; a city sets DATABASE_URL (PostgreSQL) and REDIS_URL.
"""

import datetime as dt
import os
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked for: `make run` and the test run turn it on, production never does.
DEBUG = env_bool("PARTA_DEBUG", False)
# The demo key only serves DEBUG (the laptop demo, the tests); without DEBUG every command refuses
# to start on it or on no key at all, so a server can never sign sessions with a public key.
DEMO_SECRET_KEY = "parta-demo-insecure-key-change-me-in-production-0123456789"  # noqa: S105 - public on purpose
SECRET_KEY = os.environ.get("PARTA_SECRET_KEY", DEMO_SECRET_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in {"", DEMO_SECRET_KEY}:
    raise ImproperlyConfigured(
        "Set PARTA_SECRET_KEY to a long random secret of this installation (docs/operator-guide.md), "
        "or PARTA_DEBUG=1 for the local demo."
    )
ALLOWED_HOSTS = env_list("PARTA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "template_partials",
    "parta.core",
    "parta.accounts",
    "parta.schools",
    "parta.curriculum",
    "parta.timetable",
    "parta.outbox",
    "parta.journal",
    "parta.library",
    "parta.homework",
    "parta.assessment",
    "parta.passage",
    "parta.meals",
    "parta.clinic",
    "parta.messaging",
    "parta.diary",
    "parta.web",
    "parta.demo",
    "parta.interop",
]

MIDDLEWARE = [
    # Outermost, so that every answer carries the request id and every log line of it names it.
    "parta.core.requests.RequestIdMiddleware",
    # Teachers' applications are answered without cookies: before anything reads the session.
    "parta.library.middleware.AppRequestsWithoutCookies",
    "django.middleware.security.SecurityMiddleware",
    # Refuses a body larger than the limits below by its Content-Length, before anything reads it.
    "parta.core.limits.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Turns a refused sign-in (too many failures) into a 429: parta.accounts.signin.lockout_response.
    "axes.middleware.AxesMiddleware",
    # Logs every call of a machine client once it is answered.
    "parta.accounts.middleware.MachineCallMiddleware",
    # Innermost: it turns login_required's redirect of an htmx request into HX-Redirect
    # before any other middleware sees the response.
    "parta.web.middleware.HtmxLoginRedirectMiddleware",
    # A one-time password from the enrolment slip is changed before any other page opens.
    "parta.web.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "parta.urls"
WSGI_APPLICATION = "parta.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "parta.web.context_processors.navigation",
            ],
        },
    },
]

# One installation serves one city, and PARTA_TIME_ZONE is its zone: it decides what "today" is,
# when lessons start, and when the beat runs. There is no other zone setting.
TIME_ZONE = os.environ.get("PARTA_TIME_ZONE", "Europe/Moscow")

DATA_DIR = Path(os.environ.get("PARTA_DATA_DIR", BASE_DIR / "var"))


def database(url: str) -> dict[str, Any]:
    """A DATABASES entry for a URL (DATABASE_URL's format), with the options Parta runs it with."""
    entry: dict[str, Any] = dict(
        dj_database_url.parse(
            url,
            conn_max_age=60,
            # A kept connection is checked before a request uses it: after a PostgreSQL restart the
            # first request of each web worker reconnects instead of failing with a 500.
            conn_health_checks=True,
        )
    )
    if entry["ENGINE"] == "django.db.backends.sqlite3":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        # WAL lets the web server read while a writer works; IMMEDIATE avoids lock upgrades failing.
        entry["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            "transaction_mode": "IMMEDIATE",
        }
        entry["CONN_MAX_AGE"] = 0
        return entry
    # Django's backend with a health check that asks the server only when it has said something.
    if entry["ENGINE"] == "django.db.backends.postgresql":
        entry["ENGINE"] = "parta.core.postgresql"
    # A database that does not answer fails a request (and the health check) in seconds.
    entry.setdefault("OPTIONS", {})["connect_timeout"] = 5
    if env_bool("PARTA_DB_PREPARED", True):
        # Parameters bound by the server, and a statement run twice on a connection prepared: the hot
        # reads repeat the same few statements, and planning their joins cost more than running them
        # (docs/performance.md). Behind PgBouncer in transaction mode, use 1.21+ with
        # max_prepared_statements, or set PARTA_DB_PREPARED=false.
        entry["OPTIONS"].update({"server_side_binding": True, "prepare_threshold": 2})
    return entry


DATABASES = {"default": database(os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'parta.sqlite3'}"))}
# A read replica: a PostgreSQL streaming standby of the primary (docs/operator-guide.md, "Read
# replica"). Only the reads parta.core.replicas lets go there do, while it lags at most
# PARTA_REPLICA_MAX_LAG_SECONDS; without it nothing changes.
PARTA_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("PARTA_REPLICA_MAX_LAG_SECONDS", "5"))
if os.environ.get("PARTA_REPLICA_DATABASE_URL"):
    DATABASES["replica"] = database(os.environ["PARTA_REPLICA_DATABASE_URL"])
    if {DATABASES["default"]["ENGINE"], DATABASES["replica"]["ENGINE"]} != {"parta.core.postgresql"}:
        raise ImproperlyConfigured("PARTA_REPLICA_DATABASE_URL is a standby of DATABASE_URL's PostgreSQL.")
    # Nothing replicates into a test database: the tests' replica is the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["parta.core.replicas.Router"]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "parta.core.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Cached reads (the diary, the journal; parta/core/versions.py) need one cache all processes share.
PARTA_READ_CACHE = env_bool("PARTA_READ_CACHE", bool(REDIS_URL))

# Background work (invariant 4). With no broker configured — the laptop demo — tasks run
# in-process, right after the transaction that wrote their outbox rows commits.
CELERY_BROKER_URL = os.environ.get("PARTA_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("PARTA_TASKS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Losing the broker never stops the worker or the beat: they reconnect for as long as it takes.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when the broker goes away cannot be acknowledged any more and will be delivered
# again: stop it rather than let it finish alongside its second run (tasks are idempotent).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
if CELERY_BROKER_URL.startswith("redis://"):
    # kombu's Redis transport with the fix that keeps the worker alive when Redis dies (parta/core/broker.py).
    CELERY_BROKER_TRANSPORT = "parta.core.broker:Transport"
# A request that writes an event must not hang when the broker is down: a short connect timeout and
# two quick publish retries, then the outbox row waits for the sweeper.
# Redis hands an unacknowledged message (acks_late, or a retry waiting for its countdown) to another
# worker after the visibility timeout: it must stay above the longest countdown (a notification's
# fifth retry, 8 min) and the longest task, or a message would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "visibility_timeout": 3600}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.3,
    "interval_max": 1,
}
CELERY_TASK_IGNORE_RESULT = True
# Writers wake the worker through one flag in the shared cache instead of a broker message per
# outbox event (parta/outbox/services.py); needs a cache all processes share.
PARTA_OUTBOX_COALESCE = env_bool("PARTA_OUTBOX_COALESCE", bool(REDIS_URL))
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# The beat (its own process in production, ``celery -A parta beat``: deploy/) sweeps up what could not
# be published or failed.
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "outbox.sweep",
        "schedule": float(os.environ.get("PARTA_OUTBOX_SWEEP_SECONDS", "30")),
    },
    "notification-deliveries-sweep": {
        "task": "messaging.sweep_deliveries",
        "schedule": float(os.environ.get("PARTA_DELIVERY_SWEEP_SECONDS", "60")),
    },
    # Version tokens a write could not renew while Redis was unreachable (parta/core/versions.py);
    # every new cache connection renews them too.
    "version-tokens-renew": {
        "task": "core.renew_version_tokens",
        "schedule": float(os.environ.get("PARTA_TOKEN_RENEW_SECONDS", "60")),
    },
    # Idempotency-Key rows live 24 hours (parta/core/idempotency.py); an hour's late purge costs nothing.
    "idempotency-keys-purge": {"task": "core.idempotency_purge", "schedule": 3600.0},
    "machine-calls-purge": {"task": "accounts.purge_machine_calls", "schedule": 3600.0},
    # The library's views, downloads and uses, counted into the materials' figures (pages only
    # append rows); and once a day every score again, as the days' weights decay.
    "library-count-uses": {
        "task": "library.count_uses",
        "schedule": float(os.environ.get("PARTA_LIBRARY_COUNT_SECONDS", "60")),
    },
    "library-popularity-refresh": {
        "task": "library.refresh_popularity",
        "schedule": crontab(hour=3, minute=40),
    },
    # Attempts at tests whose time ran out with nobody there, submitted as they stood (a request
    # touching one submits it too).
    "attempts-close-expired": {"task": "assessment.close_expired", "schedule": 60.0},
    # This week's diaries made in the hour before the morning (entries live an hour): the first
    # reads of 7:00 are then hits (parta/diary/prewarm.py). Mondays to Saturdays.
    "diary-prewarm-week": {
        "task": "diary.prewarm_week",
        "schedule": crontab(
            hour=int(os.environ.get("PARTA_DIARY_PREWARM_HOUR", "6")), minute=15, day_of_week="1-6"
        ),
    },
}
# An outbox event that failed this many times waits for a person (admin) instead of being retried.
PARTA_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("PARTA_OUTBOX_MAX_ATTEMPTS", "20"))
# Web Push: the VAPID private key (else DATA_DIR/vapid-private.pem, made by `manage.py vapid_keys`),
# who push services may write to about it, and how long one push may take.
PARTA_VAPID_PRIVATE_KEY = os.environ.get("PARTA_VAPID_PRIVATE_KEY", "")
PARTA_VAPID_SUBJECT = os.environ.get("PARTA_VAPID_SUBJECT", "")
PARTA_PUSH_TIMEOUT = float(os.environ.get("PARTA_PUSH_TIMEOUT", "5"))
# For tests only: lets a push reach a server of the test's own on 127.0.0.1. Never on in production,
# where it would open the server's own loopback services to every user's push address.
PARTA_PUSH_ALLOW_LOOPBACK = False
# How often a failed e-mail or push is retried.
PARTA_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("PARTA_DELIVERY_MAX_ATTEMPTS", "6"))

# The site's public address: links in e-mails and push notifications are made absolute with it.
PARTA_SITE_URL = os.environ.get("PARTA_SITE_URL", "http://127.0.0.1:8000")

MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("PARTA_MEDIA_DIR", DATA_DIR / "media"))
# Attachments (homework files, message attachments) are capped per file.
PARTA_MAX_UPLOAD_BYTES = int(os.environ.get("PARTA_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
# A whole request with files (multipart): ten files of the largest size, and 1 MB for the fields.
PARTA_MAX_REQUEST_BYTES = int(
    os.environ.get("PARTA_MAX_REQUEST_BYTES", str(10 * PARTA_MAX_UPLOAD_BYTES + 1024 * 1024))
)
# The library's uploads (docs/operator-guide.md, "Library files"): the largest file of each type
# of material, in MB. A video may be larger than a document; keep PARTA_MAX_REQUEST_BYTES above the
# largest, or the request is refused before the library sees it.
PARTA_LIBRARY_MAX_MB = {
    kind: int(os.environ.get(f"PARTA_LIBRARY_MAX_{kind.upper()}_MB", default))
    for kind, default in (
        ("video", 100),
        ("audio", 30),
        ("image", 10),
        ("application", 30),
        ("document", 30),
        ("cover", 2),
        ("import", 100),
    )
}
# What a zip (an application, a document package, an import) may hold: members, their unpacked
# size in MB, and how many times smaller than that it may be packed (a zip bomb is far smaller).
PARTA_LIBRARY_ZIP_MAX_MEMBERS = int(os.environ.get("PARTA_LIBRARY_ZIP_MAX_MEMBERS", "2000"))
PARTA_LIBRARY_ZIP_MAX_UNPACKED_MB = int(os.environ.get("PARTA_LIBRARY_ZIP_MAX_UNPACKED_MB", "300"))
PARTA_LIBRARY_ZIP_MAX_RATIO = int(os.environ.get("PARTA_LIBRARY_ZIP_MAX_RATIO", "100"))
# Teachers' applications are served from this origin when it is set (a second host name pointed at
# the same servers: the session cookie is never sent there); otherwise from the site's own, as
# sandboxed answers that ignore the session. Their signed addresses live this many seconds.
PARTA_LIBRARY_APPS_ORIGIN = os.environ.get("PARTA_LIBRARY_APPS_ORIGIN", "").rstrip("/")
PARTA_LIBRARY_APP_SECONDS = int(os.environ.get("PARTA_LIBRARY_APP_SECONDS", "3600"))
# Any other request (JSON, a form without files): Django's own default, named so it is plain.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("PARTA_MAX_BODY_BYTES", str(2_621_440)))
# An uploaded file larger than this is written to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

EMAIL_BACKEND = os.environ.get(
    "PARTA_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("PARTA_SMTP_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = os.environ.get("PARTA_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("PARTA_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("PARTA_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PARTA_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("PARTA_SMTP_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("PARTA_SMTP_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("PARTA_MAIL_FROM", "parta@localhost")

AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out sign-in before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# How long a link that sets a password (a reset, a school's sign-in invitation) stays valid.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PARTA_PASSWORD_LINK_DAYS", "7")) * 86400

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = os.environ.get("PARTA_LANGUAGE", "ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "parta" / "locale"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# whitenoise warns about a missing root on every request; collectstatic fills it in production.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)


def default_storage(environ: "os._Environ[str] | dict[str, str]") -> dict[str, object]:
    """Where uploaded files (library materials, homework, attachments) live: MEDIA_ROOT on the
    local disk, or with PARTA_STORAGE=s3 an S3-compatible object store (django-storages), which
    several web nodes share. Pages never link to the store: files go out through Parta's views."""
    kind = environ.get("PARTA_STORAGE", "local")
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured("PARTA_STORAGE is 'local' (the default) or 's3'.")
    if not environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("PARTA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (docs/operator-guide.md).")
    options = {
        "bucket_name": environ["AWS_STORAGE_BUCKET_NAME"],
        "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("AWS_S3_REGION_NAME") or None,
        # Without keys, boto3 looks for them itself (an instance role, ~/.aws).
        "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "location": environ.get("AWS_LOCATION", ""),
        # Private objects, never replaced: a version's file is shared by the versions after it.
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": default_storage(os.environ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "parta.accounts.authentication.BearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # People's endpoints refuse machine clients; a machine's endpoint says HasScope(...) instead.
    "DEFAULT_PERMISSION_CLASSES": ["parta.accounts.permissions.IsPerson"],
    # DRF's three, with a JSON parser that refuses deep nesting (parta.core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "parta.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "parta.core.api.Pagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "parta.web.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # How many proxies of our own stand before the app (a load balancer: 1). The client's address
    # is then read from X-Forwarded-For that many hops back; with 0 it is the connection's address
    # and X-Forwarded-For, which any client can write, is ignored.
    "NUM_PROXIES": int(os.environ.get("PARTA_PROXY_COUNT", "0")),
}

# A person's API token expires after this many days without use (every use pushes it back);
# its last use is written at most every PARTA_TOKEN_TOUCH_SECONDS.
PARTA_TOKEN_DAYS = int(os.environ.get("PARTA_TOKEN_DAYS", "90"))
PARTA_TOKEN_TOUCH_SECONDS = int(os.environ.get("PARTA_TOKEN_TOUCH_SECONDS", "300"))
# Machine clients' calls are logged and kept this many days.
PARTA_MACHINE_CALL_DAYS = int(os.environ.get("PARTA_MACHINE_CALL_DAYS", "90"))

# Signing in (the login page, POST /api/v1/auth/token, the admin's login) with django-axes: after
# N failures within the period from one client address (whatever the logins), or for one login
# (whatever the addresses), that address or login is refused with 429 until the period has passed
# since its last failure. PARTA_AUTH_THROTTLE is "N/period" ("20/min", "100/h"); only the benchmark,
# whose load all comes from 127.0.0.1, raises it.
_failures, _period = os.environ.get("PARTA_AUTH_THROTTLE", "20/min").split("/")
AXES_FAILURE_LIMIT = int(_failures)
AXES_COOLOFF_TIME = dt.timedelta(seconds={"s": 1, "m": 60, "h": 3600, "d": 86400}[_period[0]])
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
# The address as the rest of Parta reads it (REST_FRAMEWORK["NUM_PROXIES"]).
AXES_CLIENT_IP_CALLABLE = "parta.accounts.services.client_address"
AXES_LOCKOUT_CALLABLE = "parta.accounts.signin.lockout_response"
# A success resets no counter (another address's failures stay counted), and a failure while
# refused does not extend the refusal: Retry-After stays true.
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# No row per successful sign-in (the benchmark signs in thousands); failures are kept in
# axes_accessattempt, which `manage.py axes_reset` empties.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

SPECTACULAR_SETTINGS = {
    "TITLE": "Parta API",
    "DESCRIPTION": "The HTTP API of Parta, the open digital school platform.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" or a "kind"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "AttendanceStatusEnum": "parta.journal.models.Attendance.Status",
        "LessonStatusEnum": "parta.timetable.models.Lesson.Status",
        "ConversationKindEnum": "parta.messaging.models.Conversation.Kind",
        "JournalChangeKindEnum": "parta.journal.models.JournalChange.Kind",
        "RemarkKindEnum": "parta.journal.models.Remark.Kind",
        "StudyPeriodKindEnum": "parta.schools.models.StudyPeriod.Kind",
        "MaterialKindEnum": "parta.library.models.Kind",
        "MaterialVisibilityEnum": "parta.library.models.Visibility",
        "MaterialStatusEnum": "parta.library.models.Status",
        "HomeworkWorkStatusEnum": "parta.homework.api_work.WORK_STATUSES",
    },
}

# Everything to standard error, where systemd's journal (or the supervisor) collects it; each line
# names the request it belongs to (X-Request-ID, parta/core/requests.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "parta.core.requests.RequestIdFilter"}},
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "line"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("PARTA_LOG_LEVEL", "WARNING")},
}

# Behind an HTTPS proxy (docs/operator-guide.md). Django sees the proxy's plain HTTP: with
# PARTA_PROXY_SSL_HEADER it trusts the proxy's X-Forwarded-Proto (the proxy must set it, overwriting
# the client's), so requests count as secure and the sign-in form's CSRF origin check passes.
if env_bool("PARTA_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Origins allowed to POST forms besides the request's own host: the site's address by default.
CSRF_TRUSTED_ORIGINS = env_list("PARTA_CSRF_TRUSTED_ORIGINS", PARTA_SITE_URL.rstrip("/"))
SECURE_SSL_REDIRECT = env_bool("PARTA_SSL_REDIRECT", False)
# Load balancers probe the health endpoint over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS is remembered by browsers for this long: opt in once HTTPS works (a year: 31536000).
SECURE_HSTS_SECONDS = int(os.environ.get("PARTA_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PARTA_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("PARTA_HSTS_PRELOAD", True)
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("PARTA_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
