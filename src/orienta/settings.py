"""Orienta's one settings module. Everything an operator may change comes from the environment
through the typed readers in `orienta.env`; the README lists each variable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from orienta.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_str,
    kept_secret,
    new_field_key,
    new_secret_key,
    parse_field_keys,
    parse_hours,
    parse_retention,
)

ORIENTA_HOME = env_path("ORIENTA_HOME", "./orienta-data")

DEBUG = env_bool("ORIENTA_DEBUG", False)
SECRET_KEY = kept_secret("ORIENTA_SECRET_KEY", ORIENTA_HOME, "secret_key", new_secret_key)
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("ORIENTA_SECRET_KEY must be at least 32 characters long.")
ORIENTA_FIELD_KEYS = parse_field_keys(
    "ORIENTA_FIELD_KEYS",
    kept_secret("ORIENTA_FIELD_KEYS", ORIENTA_HOME, "field_keys", new_field_key),
)
ALLOWED_HOSTS = env_list("ORIENTA_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("ORIENTA_CSRF_TRUSTED_ORIGINS", [])

# --- Applications -------------------------------------------------------------------------------
INSTALLED_APPS = [
    "orienta.core.admin_config.OrientaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_htmx",
    "django_tasks",
    "axes",
    "csp",
    "ninja",
    "orienta.core",
    "orienta.accounts",
    "orienta.audit",
    "orienta.directory",
    "orienta.cases",
    "orienta.identity",
    "orienta.referrals",
    "orienta.returns",
    "orienta.governance",
    "orienta.knowledge",
    "orienta.reintegration",
    "orienta.indicators",
    "orienta.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "orienta.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "orienta.core.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "orienta.core.middleware.PermissionsPolicyMiddleware",
    # Last, so that it sees the login attempts the views above let through.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "orienta.urls"
WSGI_APPLICATION = "orienta.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "orienta.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database ------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{ORIENTA_HOME / 'orienta.sqlite3'}")
try:
    _database = dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("ORIENTA_DB_CONN_MAX_AGE", 60, minimum=0)
    )
except ValueError as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL Orienta understands: {exc}"
    ) from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {
        # IMMEDIATE: every transaction takes the write lock when it begins, so two writers queue
        # instead of one failing with "database is locked" when it upgrades a read to a write.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON"
        ),
    }
elif _database["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL or SQLite.")
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Lock-out after repeated failed logins (django-axes). The lock applies to the pair of account
# and address: a border post behind one shared address is not locked out by one person's typos,
# and nobody can lock an account from elsewhere.
AXES_FAILURE_LIMIT = env_int("ORIENTA_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ORIENTA_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "orienta.accounts.lockout.username_of"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("ORIENTA_BEHIND_PROXY", False) else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# --- Security ------------------------------------------------------------------------------------
ORIENTA_BEHIND_PROXY = env_bool("ORIENTA_BEHIND_PROXY", False)
ORIENTA_HTTPS = env_bool("ORIENTA_HTTPS", not DEBUG)
if ORIENTA_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = ORIENTA_HTTPS
CSRF_COOKIE_SECURE = ORIENTA_HTTPS
LANGUAGE_COOKIE_SECURE = ORIENTA_HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("ORIENTA_SESSION_HOURS", 12, minimum=1) * 3600
SECURE_HSTS_SECONDS = 31_536_000 if (ORIENTA_HTTPS and not DEBUG) else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_SSL_REDIRECT = env_bool("ORIENTA_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Languages and time --------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("ht", _("Haitian Creole")),
    ("ar", _("Arabic")),
]
# Languages whose interface translation is complete enough to offer in the switcher. Kreyòl and
# Arabic are declared so that public pages and the knowledge base can use them as they are filled.
ORIENTA_INTERFACE_LANGUAGES = env_list("ORIENTA_INTERFACE_LANGUAGES", ["fr", "en"])
for _code in ORIENTA_INTERFACE_LANGUAGES:
    if _code not in dict(LANGUAGES):
        raise ImproperlyConfigured(f"ORIENTA_INTERFACE_LANGUAGES: unknown language {_code!r}.")
# The public directory is also offered in Haitian Creole.
ORIENTA_PUBLIC_LANGUAGES = env_list("ORIENTA_PUBLIC_LANGUAGES", ["fr", "en", "ht"])
for _code in ORIENTA_PUBLIC_LANGUAGES:
    if _code not in dict(LANGUAGES):
        raise ImproperlyConfigured(f"ORIENTA_PUBLIC_LANGUAGES: unknown language {_code!r}.")
LANGUAGE_COOKIE_NAME = "orienta_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
# Django ships no locale data for Haitian Creole; without it, language menus and
# get_language_info() fail for "ht".
LANG_INFO.setdefault(
    "ht", {"bidi": False, "code": "ht", "name": "Haitian Creole", "name_local": "Kreyòl ayisyen"}
)
USE_I18N = True
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
USE_TZ = True
TIME_ZONE = env_str("ORIENTA_TIME_ZONE", "UTC")

# --- Static files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
# Orienta's own and the vendored front-end files, beside the apps' static folders.
STATICFILES_DIRS = [Path(__file__).resolve().parent / "static"]
STATIC_ROOT = ORIENTA_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps as well, so tests and a fresh checkout work before collectstatic;
# `orienta serve` and `orienta demo` still collect (and pre-compress) into STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = ORIENTA_HOME / "media"

# --- E-mail --------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("ORIENTA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("ORIENTA_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ORIENTA_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("ORIENTA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("ORIENTA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ORIENTA_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("ORIENTA_EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "ORIENTA_EMAIL_USE_TLS and ORIENTA_EMAIL_USE_SSL exclude each other."
    )
DEFAULT_FROM_EMAIL = env_str("ORIENTA_EMAIL_FROM", "Orienta <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks (django-tasks) -------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_choice(
            "ORIENTA_TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend",
            [
                "django_tasks.backends.immediate.ImmediateBackend",
                "django_tasks.backends.dummy.DummyBackend",
            ],
        ),
        "ENQUEUE_ON_COMMIT": True,
    }
}

# --- Logging -------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("ORIENTA_LOG_LEVEL", "INFO").upper()},
    # django-tasks says INFO for every task run: the indicators' refresh runs after each commit.
    "loggers": {"axes": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"}},
}

# --- Orienta -------------------------------------------------------------------------------------
ORIENTA_DEMO_PASSWORD = env_str("ORIENTA_DEMO_PASSWORD", "")
ORIENTA_API_TOKEN_TOUCH_SECONDS = 60
# The address people use to reach this platform, for links in e-mails.
ORIENTA_BASE_URL = env_str("ORIENTA_BASE_URL", "http://127.0.0.1:8000")
if not ORIENTA_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("ORIENTA_BASE_URL must start with http:// or https://.")
CSRF_FAILURE_VIEW = "orienta.core.views.csrf_failure"

# Cases: how long a case is kept after closure before it is anonymised, per case kind, in days
# ("forced_return=1825,child=3650"); kinds not named keep the default.
ORIENTA_RETENTION_DEFAULT_DAYS = env_int("ORIENTA_RETENTION_DEFAULT_DAYS", 5 * 365, minimum=1)
ORIENTA_RETENTION_DAYS = parse_retention(
    "ORIENTA_RETENTION_DAYS", env_str("ORIENTA_RETENTION_DAYS", "")
)
# Break-glass access to a case lasts this long.
ORIENTA_BREAK_GLASS_HOURS = env_int("ORIENTA_BREAK_GLASS_HOURS", 4, minimum=1, maximum=72)
# Candidate persons shown at registration.
ORIENTA_CANDIDATES_SHOWN = 8
# Referrals: hours a provider has to acknowledge, per urgency, where no configured deadline
# applies ("critical=2,high=24,normal=72"); unacknowledged for three times that, it expires.
ORIENTA_REFERRAL_ACKNOWLEDGE_HOURS = parse_hours(
    "ORIENTA_REFERRAL_ACKNOWLEDGE_HOURS",
    env_str("ORIENTA_REFERRAL_ACKNOWLEDGE_HOURS", ""),
    {"critical": 2, "high": 24, "normal": 72},
)
# Links for providers not on the platform: valid this many days; the one-time code that opens
# the packet, this many minutes; a verified code keeps the packet open this many minutes.
ORIENTA_EXTERNAL_LINK_DAYS = env_int("ORIENTA_EXTERNAL_LINK_DAYS", 14, minimum=1, maximum=90)
ORIENTA_EXTERNAL_CODE_MINUTES = 10
ORIENTA_EXTERNAL_SESSION_MINUTES = 30
ORIENTA_EXTERNAL_CODE_ATTEMPTS = 5
# Cells of the referral dashboard under this count are hidden from those who see no cases.
ORIENTA_SMALL_CELL = env_int("ORIENTA_SMALL_CELL", 5, minimum=1)
# Whether /statistics/ publishes aggregate returns and services to anyone (small numbers hidden).
ORIENTA_PUBLIC_STATISTICS = env_bool("ORIENTA_PUBLIC_STATISTICS", False)
