"""Gonghui settings: read from the environment only.

Two modes:

* ``embedded`` (the default): SQLite and generated keys in one data directory, so that
  ``make run`` works on a fresh clone. Keys are generated once, on a fresh data directory, and
  reused; they are never silently regenerated, because a lost encryption key is lost data.
* ``production`` (``GONGHUI_MODE=production``): every secret must be given (``SECRET_KEY``,
  ``FIELD_ENCRYPTION_KEY``, ``FIELD_HASH_KEY``, each also as ``*_FILE``) or start-up stops.

See docs/configuration.md for every variable.
"""

from __future__ import annotations

import base64
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


MODE = env("GONGHUI_MODE", "embedded")
if MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured(f"GONGHUI_MODE must be 'embedded' or 'production', not {MODE!r}.")
PRODUCTION = MODE == "production"

DATA_DIR = Path(env("GONGHUI_DATA_DIR", str(REPO_DIR / "var"))).resolve()
SQLITE_PATH = DATA_DIR / "gonghui.sqlite3"


def _generated_secret(filename: str, make: callable) -> str:
    """Read a key from the data directory, generating it only on a fresh data directory."""
    path = DATA_DIR / "keys" / filename
    if path.exists():
        return path.read_text().strip()
    if SQLITE_PATH.exists() and env("DATABASE_URL") is None:
        raise ImproperlyConfigured(
            f"The key file {path} is missing but the database {SQLITE_PATH} already exists. "
            "Restore the key from your backup: a new key cannot read data encrypted with the old one."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def secret(name: str, make: callable) -> str:
    """A secret from NAME, NAME_FILE or (embedded mode only) the data directory."""
    value = env(name)
    if value is None and env(f"{name}_FILE"):
        value = Path(env(f"{name}_FILE")).read_text().strip()
    if value is not None:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(
            f"{name} is not set. In production mode every secret must be given as {name} or "
            f"{name}_FILE; see docs/configuration.md."
        )
    return _generated_secret(name.lower(), make)


def _new_aes_key() -> str:
    return "1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


SECRET_KEY = secret("SECRET_KEY", lambda: secrets.token_urlsafe(50))
# Key ring "id:base64key,id:base64key": the first key encrypts, all of them decrypt.
FIELD_ENCRYPTION_KEY = secret("FIELD_ENCRYPTION_KEY", _new_aes_key)
# The blind-index (HMAC) key must outlive encryption-key rotations: exact lookups depend on it.
FIELD_HASH_KEY = secret("FIELD_HASH_KEY", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "axes",
    "ninja",
    "gonghui.lib",
    "gonghui.core",
    "gonghui.unions",
    "gonghui.accounts",
    "gonghui.members",
    "gonghui.market",
    "gonghui.appeals",
    "gonghui.benefits",
    "gonghui.activities",
    "gonghui.surveys",
    "gonghui.learning",
    "gonghui.cockpit",
    "gonghui.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body (CSRF, the API): an oversized request is refused unread.
    "gonghui.core.limits.RequestSizeLimitMiddleware",
    "gonghui.core.context.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication (it needs request.user), below WhiteNoise (static files stay cacheable).
    "gonghui.core.headers.PrivateResponseMiddleware",
    "gonghui.accounts.middleware.StaffIdleTimeoutMiddleware",
    "gonghui.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gonghui.core.input.InputGuardMiddleware",  # URL length and control characters in every text input
    "gonghui.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

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
                "gonghui.web.context_processors.shell",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
if env("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(
        env("DATABASE_URL"), conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")), conn_health_checks=True)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout
                # instead of failing with "database is locked" half way through a transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background work ------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Background work runs in a Celery worker, never in a web request. With REDIS_URL the broker is
# Redis; without it (the embedded default) it is kombu's filesystem transport in the data directory:
# no server of its own, no extra package, and no writes to the SQLite database (whose single write
# lock a roster import holds for seconds). `python -m gonghui serve` (make run) starts the worker and
# beat beside gunicorn. Durability does not rest on the broker: every long job is a core.jobs.Job row
# written with the change that asks for it (docs/deployment.md, "Background work").
QUEUE_DIR = DATA_DIR / "queue"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(QUEUE_DIR / "messages"), "data_folder_out": str(QUEUE_DIR / "messages"),
        "control_folder": str(QUEUE_DIR / "control"), "store_processed": False,
    }
    for _folder in ("messages", "control"):
        try:
            (QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)
        except OSError:  # a read-only data directory: `serve` and the worker say so when they start
            pass
    # The filesystem transport has no broadcast: no remote control (serve also passes --without-gossip/mingle).
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_RESULT_BACKEND = None
# Tests set this (conftest.py) so tasks run inline; a deployment never should.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# A message is acknowledged after its task ran, and given back when the worker process is lost;
# tasks are idempotent (the job row is claimed with a guarded update), so a repeat does nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a web request gives up quickly when the broker is down: the job row stays queued
# and the sweep sends it later, so the request never waits long or fails.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TIMEZONE = "Asia/Shanghai"
# Background jobs (core.jobs): a running job with no progress for this long is retried; results
# (exports) are deleted after JOBS_KEEP_DAYS.
JOBS_STALE_AFTER = int(env("JOBS_STALE_AFTER", "1800"))
JOBS_KEEP_DAYS = int(env("JOBS_KEEP_DAYS", "7"))
# Periodic jobs (each also runs as a management command on the embedded default).
CELERY_BEAT_SCHEDULE: dict = {
    "members-roster-sweep": {"task": "gonghui.members.tasks.roster_sweep_task", "schedule": 24 * 3600},
    "activities-reminders": {"task": "gonghui.activities.tasks.activity_reminders_task", "schedule": 900},
    "market-autoconfirm": {"task": "gonghui.market.tasks.autoconfirm_task", "schedule": 3600},
    "benefits-issue-pending": {"task": "gonghui.benefits.tasks.issue_pending_task", "schedule": 1800},
    "appeals-deadline-sweep": {"task": "gonghui.appeals.tasks.deadline_sweep_task", "schedule": 3600},
    "cockpit-refresh": {"task": "gonghui.cockpit.tasks.refresh_task", "schedule": 600},
    "core-jobs-sweep": {"task": "gonghui.core.tasks.jobs_sweep_task", "schedule": 60},
}
# How many days back the cockpit keeps daily counts (its cumulative 累计 figures cover this span).
COCKPIT_HISTORY_DAYS = int(env("COCKPIT_HISTORY_DAYS", "3660"))

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gonghui.accounts.auth.PhoneBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # verifies hashes made before Argon2 was first
]
# Password rules differ for staff and members; see accounts/validators.py.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "gonghui.accounts.validators.RolePasswordValidator"},
]
STAFF_IDLE_TIMEOUT = timedelta(minutes=30)

# The staff second factor (TOTP authenticator + recovery codes, accounts/second_factor.py): staff holding one
# of these roles must enrol and pass it at every sign-in, superusers always. Comma-separated roles among
# admin, officer, viewer, auditor; empty means superusers only.
SECOND_FACTOR_ROLES = env_list("SECOND_FACTOR_ROLES", "admin,officer")
if not set(SECOND_FACTOR_ROLES) <= {"admin", "officer", "viewer", "auditor"}:
    raise ImproperlyConfigured("SECOND_FACTOR_ROLES: roles are admin, officer, viewer, auditor")
SECOND_FACTOR_ISSUER = env("SECOND_FACTOR_ISSUER", "智慧工会")  # the name authenticator apps show
SECOND_FACTOR_MAX_FAILURES = 5  # wrong codes in a row before the factor locks
SECOND_FACTOR_LOCK = timedelta(minutes=15)
SESSION_COOKIE_AGE = int(timedelta(days=14).total_seconds())
SESSION_COOKIE_HTTPONLY = True

# django-axes: 5 failures for one account from one client address lock that account at that address
# for 15 minutes, on every login path that goes through authenticate(). Counting the pair, not the
# account alone, means nobody can lock a staff member out at will by typing their phone number with
# wrong passwords: the owner, elsewhere, still signs in. Counting the pair, not the address alone,
# means a carrier NAT shared by thousands of couriers is not locked either. A distributed guess
# across many addresses is stopped by a second, account-wide rule (accounts/auth.py, checked before
# every password check): AXES_ACCOUNT_FAILURE_LIMIT failures from all addresses within the cool-off
# lock the account everywhere; its owner unlocks it at once by resetting the password with an SMS
# code (忘记密码), which clears the counts. docs/security.md has the reasoning.
AXES_FAILURE_LIMIT = 5
AXES_ACCOUNT_FAILURE_LIMIT = int(env("AXES_ACCOUNT_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client address as the audit log sees it: NUM_PROXIES trusted reverse proxies, no more.
AXES_CLIENT_IP_CALLABLE = "gonghui.core.context.client_ip"
AXES_USERNAME_FORM_FIELD = "phone"
# Axes stores the username in its table: store the phone's blind index, never the phone itself.
AXES_USERNAME_CALLABLE = "gonghui.accounts.auth.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
# Axes keeps the posted form of failed logins: the phone must never be stored in plaintext there.
AXES_SENSITIVE_PARAMETERS = ["phone", "username", "password", "ip_address"]
AXES_LOCKOUT_CALLABLE = "gonghui.accounts.views.auth.lockout_response"
AXES_VERBOSE = False

# --- i18n -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("GONGHUI_MANIFEST_STATIC", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# One limit for a whole request body, enforced by gonghui.core.limits before the body is read and
# matched by the proxy's client_max_body_size (docs/deployment.md): the largest upload is a 20 MB roster
# workbook. A body that is not a multipart upload (JSON, a plain form) may be at most
# DATA_UPLOAD_MAX_MEMORY_SIZE; uploaded files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file.
REQUEST_MAX_BYTES = int(float(env("REQUEST_MAX_MB", "45")) * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = min(10 * 1024 * 1024, REQUEST_MAX_BYTES)
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY") else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from this site, no inline script, no eval — the
# templates carry none (a test scans them), page behaviour lives in static JS (web/static/gonghui/gonghui.js).
# Styles still allow inline style="" attributes and <style> blocks in templates; see docs/security.md.
# QR codes are inline SVG or data: images; the merchant's scanner shows the camera as a MediaStream (srcObject).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],  # blob: the photo picker previews and shrinks photos in the browser
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "worker-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"report-uri": [env("CSP_REPORT_URI")]} if env("CSP_REPORT_URI") else {}),
    },
}
# Every response for a signed-in user and every API response is Cache-Control: no-store
# (gonghui.core.headers; a view without personal data may opt out with @cacheable).
NO_STORE_PATH_PREFIXES = ("/api/",)
# Number of reverse proxies in front of the app servers, for the client IP in the audit log.
NUM_PROXIES = int(env("NUM_PROXIES", "0"))

# --- Gonghui ----------------------------------------------------------------------------------------
SMS_BACKEND = env("SMS_BACKEND", "gonghui.core.notify.LoggingSmsBackend")
# Public holidays and make-up working days beyond the years shipped in gonghui/lib/workdays.py, as JSON:
# {"2027": {"holidays": ["2027-01-01", "2027-02-05/2027-02-13"], "workdays": ["2027-02-14"]}}
# Kept as the raw text: gonghui.lib.workdays parses it and the system checks report any mistake.
WORKDAY_CALENDAR = env("WORKDAY_CALENDAR", "") or {}
NOTIFICATION_CHANNELS = env_list("NOTIFICATION_CHANNELS", "inbox")


def env_positive_int(name: str, default: int) -> int:
    raw = env(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1, not {value}.")
    return value


def env_tier_days(name: str) -> dict[str, int]:
    """``normal=5,hard=15,complex=30`` (any of the three tiers; the others keep their defaults)."""
    days: dict[str, int] = {}
    for item in env_list(name):
        tier, _, value = item.partition("=")
        tier = tier.strip()
        if tier not in {"normal", "hard", "complex"}:
            raise ImproperlyConfigured(f"{name}: unknown tier {tier!r} (use normal, hard, complex).")
        if not value.strip().isdigit() or int(value) < 1:
            raise ImproperlyConfigured(f"{name}: {tier} needs a number of working days ≥ 1, not {value!r}.")
        days[tier] = int(value)
    return days


# 12351 appeals: working days per tier, the warning before the due date, attachment limits.
APPEALS_DEADLINE_DAYS = env_tier_days("APPEALS_DEADLINE_DAYS")
APPEALS_WARN_WORKDAYS = env_positive_int("APPEALS_WARN_WORKDAYS", 1)
APPEALS_MAX_UPLOAD_BYTES = env_positive_int("APPEALS_MAX_UPLOAD_MB", 5) * 1024 * 1024
APPEALS_MAX_FILES = env_positive_int("APPEALS_MAX_FILES", 9)
NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 100
API_TOKEN_TTL = timedelta(days=int(env("API_TOKEN_TTL_DAYS", "90")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Searches carry phone and ID numbers in URLs: every line is masked before it is written
    # (gonghui.lib.logmask; gunicorn's access log through gonghui/gunicorn_conf.py).
    "filters": {"mask_personal_data": {"()": "gonghui.lib.logmask.MaskPersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["mask_personal_data"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's defaults would also send these to its own handlers (console when DEBUG, mail_admins),
        # which would print the request unmasked: ours only.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# HSTS preloading is a commitment an operator makes for the whole domain (SECURE_HSTS_PRELOAD=1),
# not a default the application can take for them.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Further check ids to silence, comma-separated (e.g. workdays.W001 in a CI run whose date may fall in a
# November before the next year's holiday arrangement is published).
SILENCED_SYSTEM_CHECKS += env_list("SILENCED_SYSTEM_CHECKS")

# WeChat JS-SDK (scanning with the phone camera inside WeChat's browser): an official account's AppID and
# its AppSecret (WECHAT_APP_SECRET or WECHAT_APP_SECRET_FILE). Unset: the pages use the browser's own
# BarcodeDetector or a typed code. The server's address must be listed in the account's JS-safe domains.
WECHAT_APP_ID = env("WECHAT_APP_ID", "") or ""
WECHAT_APP_SECRET = env("WECHAT_APP_SECRET") or (
    Path(env("WECHAT_APP_SECRET_FILE")).read_text().strip() if env("WECHAT_APP_SECRET_FILE") else "")
if WECHAT_APP_ID:  # the JS-SDK itself comes from WeChat (the only script not served by the platform)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] = [SELF, "https://res.wx.qq.com"]
