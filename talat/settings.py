"""Talat's settings: one module, configured by TALAT_* environment variables.

TALAT_DEBUG            "1" turns on debug pages (never in production). Default off.
TALAT_SECRET_KEY       required when debug is off (or TALAT_SECRET_KEY_FILE: a file holding it).
TALAT_FIELD_KEYS, TALAT_INDEX_KEY, TALAT_AUDIT_SIGNING_KEY: see the end of this module.
TALAT_ALLOWED_HOSTS    comma-separated host names. Default "127.0.0.1,localhost".
TALAT_DATABASE_URL     e.g. postgres://talat@db/talat. Default: SQLite file var/talat.sqlite3.
TALAT_EMAIL_URL        "console" (default) or "file:<folder>" or "smtp://host:port".
TALAT_TASKS_BACKEND    "database" (default), "immediate" (run inline) or a dotted backend path.
TALAT_LOG_LEVEL        default INFO.
TALAT_UNPAID_ORDER_MINUTES  storefront orders unpaid after this long are cancelled (default 30).
TALAT_SITE_URL         the public address of this installation (partners fetch product pictures from it).
TALAT_<LAZADA|TMALL_GLOBAL|ALIBABA>_URL, _AUTHORIZE_URL, _APP_KEY, _APP_SECRET(_FILE): a marketplace's
                       API and authorization addresses and Talat's app there (default: the sandboxes
                       on loopback that `make demo` runs, with their demo keys).
TALAT_INSECURE_HTTP    "1" serves without HTTPS-only cookies and redirects (the demo on 127.0.0.1).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"TALAT_{name}", default)


def env_secret(name: str) -> str:
    """TALAT_<name>, or the contents of the file named by TALAT_<name>_FILE."""
    value = env(name)
    if not value and env(f"{name}_FILE"):
        value = Path(env(f"{name}_FILE")).read_text().strip()
    return value


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not env_bool("INSECURE_DEV_KEY"):
        raise ImproperlyConfigured("Set TALAT_SECRET_KEY (or TALAT_DEBUG=1 for local development).")
    SECRET_KEY = "talat-insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "talat.core",
    "talat.accounts",
    "talat.registry",
    "talat.governance",
    "talat.ledger",
    "talat.catalog",
    "talat.orders",
    "talat.channels",
    "talat.invoicing",
    "talat.payments",
    "talat.customs",
    "talat.logistics",
    "talat.storefront",
    "talat.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "talat.core.middleware.RequestLogMiddleware",
    "talat.core.middleware.SecurityHeadersMiddleware",
    "talat.core.middleware.ApiErrorBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "talat.urls"
WSGI_APPLICATION = "talat.wsgi.application"

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
            ],
            "builtins": ["talat.web.templatetags.talat"],
        },
    }
]

(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'talat.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server and the task worker share the demo database.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["talat.accounts.backends.ThrottledEmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Failed logins: after LOGIN_MAX_FAILURES within LOGIN_FAILURE_WINDOW seconds for one e-mail
# or one client address, further attempts are refused until the window passes.
LOGIN_MAX_FAILURES = int(env("LOGIN_MAX_FAILURES", "5"))
LOGIN_FAILURE_WINDOW = int(env("LOGIN_FAILURE_WINDOW", "900"))

LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "talat" / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "/media/"  # only media/products/ is served to the public (see talat/urls.py)

email_url = env("EMAIL_URL", "console")
if email_url == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif email_url.startswith("file:"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = email_url.removeprefix("file:")
elif email_url == "memory":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif email_url.startswith("smtp://"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, _sep, port = email_url.removeprefix("smtp://").partition(":")
    EMAIL_PORT = int(port or 25)
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
else:
    raise ImproperlyConfigured(f"TALAT_EMAIL_URL not understood: {email_url!r}")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Talat <no-reply@talat.localhost>")

tasks_backend = env("TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }.get(tasks_backend, tasks_backend),
    }
}

# Security: HTTPS settings apply when not debugging; TALAT_INSECURE_HTTP=1 serves a
# production-like build over plain HTTP on a trusted network (the demo does this).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG and not env_bool("INSECURE_HTTP"):
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 100

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "talat.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # httpx logs every request URL at INFO; partner protocols carry access tokens in URLs.
        "httpx": {"level": "WARNING"},
    },
}

TALAT_SITE_NAME = _("ตลาด")

TALAT_SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")  # partners fetch product pictures here
# Marketplace partners: their API and seller-authorization addresses and Talat's app keys there. The
# defaults are the sandboxes `make demo` runs on loopback and their published demo keys; pointing
# Talat at a real partner is these settings, not a code change.
TALAT_CHANNELS = {
    code: {
        "api": env(f"{prefix}_URL", api),
        "authorize": env(f"{prefix}_AUTHORIZE_URL", authorize),
        "app_key": env(f"{prefix}_APP_KEY", f"{demo}-demo-app"),
        "app_secret": env_secret(f"{prefix}_APP_SECRET") or f"{demo}-demo-secret",
        # The marketplace's commission on a sale, in basis points (the seller's contract with it).
        "fee_bp": int(env(f"{prefix}_FEE_BP", fee_bp)),
    }
    for code, prefix, demo, api, authorize, fee_bp in [
        (
            "lazada",
            "LAZADA",
            "lazada",
            "http://127.0.0.1:8601/rest",
            "http://127.0.0.1:8601/oauth/authorize",
            "500",
        ),
        (
            "tmall-global",
            "TMALL_GLOBAL",
            "tmall",
            "http://127.0.0.1:8602",
            "http://127.0.0.1:8602/authorize",
            "500",
        ),
        ("alibaba", "ALIBABA", "alibaba", "http://127.0.0.1:8603", "http://127.0.0.1:8603/authorize", "0"),
    ]
}

# A storefront order not paid within this many minutes is cancelled and its stock given back.
TALAT_UNPAID_ORDER_MINUTES = int(env("UNPAID_ORDER_MINUTES", "30"))

# What the storefront charges for delivery, in satang, by shipping method.
TALAT_SHIPPING_FEES = {"standard": 4000, "express": 8000, "cross_border": 35000}
# Talat's own fee on every sale, in basis points of the order total (300 = 3 %).
TALAT_PLATFORM_FEE_BP = int(env("PLATFORM_FEE_BP", "300"))

# PromptPay: payments to Talat's collection account are bill payments to this biller ID (the
# tax ID of the collecting company + a 2-digit suffix, given by its bank), with the order number
# as reference 1. The bank signs its payment notifications with TALAT_BANK_SECRET (HMAC-SHA256)
# and keeps TALAT_BANK_FEE_BP of each payment. The defaults are the bank sandbox `make demo` runs.
TALAT_PROMPTPAY_BILLER_ID = env("PROMPTPAY_BILLER_ID", "099400015880701")
TALAT_PROMPTPAY_PAYEE = env("PROMPTPAY_PAYEE", "Talat")
TALAT_BANK_URL = env("BANK_URL", "http://127.0.0.1:8604")
TALAT_BANK_SECRET = (env_secret("BANK_SECRET") or "bank-sandbox-demo-secret").encode()
TALAT_BANK_FEE_BP = int(env("BANK_FEE_BP", "0"))
# The bank sandbox's "scan and pay" page, linked from the payment page so a demo buyer can pay;
# empty in production (buyers pay with their own bank's app).
TALAT_BANK_SANDBOX_PAGE = env("BANK_SANDBOX_PAGE", f"{TALAT_BANK_URL}/pay")

# Alibaba.com lists prices in US dollars: baht per dollar for those prices (e.g. "36.25"). Unset,
# publishing to Alibaba.com is refused with a clear reason rather than guessed.
TALAT_THB_PER_USD = env("THB_PER_USD")

# The EEC hub: consolidated cross-border exports are declared to Customs by the company that
# operates the hub (tax ID, branch, names, address), through Customs' e-Export interface (default:
# the Customs sandbox `make demo` runs). Logistics partners sign their tracking webhooks.
TALAT_HUB_EXPORTER = {
    "tax_id": env("HUB_EXPORTER_TAX_ID", "0105560000000"),
    "branch": env("HUB_EXPORTER_BRANCH", "00000"),
    "name_th": env("HUB_EXPORTER_NAME_TH", "บริษัท ศูนย์โลจิสติกส์อีอีซี จำกัด"),
    "name_en": env("HUB_EXPORTER_NAME_EN", "EEC Logistics Hub Co., Ltd."),
    "address": env("HUB_EXPORTER_ADDRESS", "ตำบลพลา อำเภอบ้านฉาง จังหวัดระยอง 21130"),
}
TALAT_LOGISTICS = {
    # Cross-border parcels go through the EEC hub's logistics partner; domestic ones by carrier.
    "cainiao": {
        "url": env("HUB_URL", "http://127.0.0.1:8605"),
        "provider_id": env("HUB_PROVIDER_ID", "TALAT_EEC_DEMO"),
        "secret": env_secret("HUB_SECRET") or "hub-sandbox-demo-secret",
        "webhook_secret": (env_secret("HUB_WEBHOOK_SECRET") or "hub-sandbox-webhook-demo-secret").encode(),
    },
    "thailandpost": {
        "url": env("CARRIER_URL", "http://127.0.0.1:8606"),
        "api_key": env_secret("CARRIER_API_KEY") or "carrier-sandbox-demo-api-key",
        "webhook_secret": (
            env_secret("CARRIER_WEBHOOK_SECRET") or "carrier-sandbox-webhook-demo-secret"
        ).encode(),
    },
}
TALAT_CUSTOMS = {
    "url": env("CUSTOMS_URL", "http://127.0.0.1:8607"),
    "client_id": env("CUSTOMS_CLIENT_ID", "talat-demo"),
    "secret": (env_secret("CUSTOMS_SECRET") or "customs-sandbox-demo-secret").encode(),
}

# Keys that never live in the database (each also readable from TALAT_<NAME>_FILE):
# TALAT_FIELD_KEYS         versioned AES-256 keys for personal identifiers: "1:<b64>,2:<b64>"
# TALAT_INDEX_KEY          the HMAC key of exact-match lookups on encrypted identifiers
# TALAT_AUDIT_SIGNING_KEY  the Ed25519 private key (raw 32 bytes, base64) that signs tree heads
TALAT_FIELD_KEYS = env_secret("FIELD_KEYS")
TALAT_INDEX_KEY = env_secret("INDEX_KEY")
TALAT_AUDIT_SIGNING_KEY = env_secret("AUDIT_SIGNING_KEY")
