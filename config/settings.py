"""The only settings module. Every deploy-specific value comes from the environment (config/env.py).

With no environment at all the demo runs anywhere: SQLite, eager Celery, email to the console.
Tests, CI and production set DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis).
"""
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# No DATABASE_URL means the zero-setup demo on SQLite: debug on, a throwaway key. Anything with a real
# database (tests, CI, production) must say DJANGO_DEBUG itself and supply DJANGO_SECRET_KEY.
DATABASE_URL = env_str("DATABASE_URL", "")
DEMO_MODE = not DATABASE_URL
DEBUG = env_bool("DJANGO_DEBUG", DEMO_MODE)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-demo-key-change-me" if DEBUG else None)  # required in prod
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "axes",
    "django_ratelimit",
    "workload",
    "supervision",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "workload.middleware.NoStoreForSignedInMiddleware",  # after auth: it reads request.user
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a lockout into the login page with a message
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "workload.context_processors.navigation",
                "supervision.context_processors.waiting",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(  # DATABASE_URL=postgres://...: tests, CI, production
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'demo.sqlite3'}",  # unset: zero-setup demo
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo serves several people at once (runserver is threaded). SQLite's default deferred transactions
    # start as readers and fail at once with "database is locked" when two try to become the writer. So:
    # BEGIN IMMEDIATE takes the write lock first and waits for it (timeout, seconds); WAL lets reads that are
    # outside a transaction go on during a write; synchronous=NORMAL is safe with WAL and shortens each write.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"

# The latest national figure shown beside the average caseload for context (reporting.measures).
NATIONAL_CASELOAD = {
    "value": "16.3",
    "label": "England average caseload per FTE, 30 September 2023 (DfE, Children's social work workforce)",
}
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

# Security: behind TLS in production (DJANGO_SECURE_SSL=true); plain HTTP for the local demo.
SECURE_SSL = env_bool("DJANGO_SECURE_SSL", False)
SECURE_SSL_REDIRECT = SECURE_SSL
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Sign-in security (docs/operations.md, "Sign-in security and sessions").
# The axes backend goes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
CASEWEIGHT_SIGN_IN_FAILURE_LIMIT = env_int("CASEWEIGHT_SIGN_IN_FAILURE_LIMIT", 5)
CASEWEIGHT_SIGN_IN_COOLOFF_MINUTES = env_int("CASEWEIGHT_SIGN_IN_COOLOFF_MINUTES", 15)
CASEWEIGHT_PASSWORD_RESET_PER_HOUR = env_int("CASEWEIGHT_PASSWORD_RESET_PER_HOUR", 5)  # per address and per email
CASEWEIGHT_SESSION_IDLE_MINUTES = env_int("CASEWEIGHT_SESSION_IDLE_MINUTES", 30)
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For. Behind TLS
# (DJANGO_SECURE_SSL) there is one, the same proxy whose X-Forwarded-Proto is trusted above; without this
# every sign-in would seem to come from the proxy's address and share one lockout and one reset limit.
CASEWEIGHT_REVERSE_PROXIES = env_int("CASEWEIGHT_REVERSE_PROXIES", 1 if SECURE_SSL else 0)
for _name in ("CASEWEIGHT_SIGN_IN_FAILURE_LIMIT", "CASEWEIGHT_SIGN_IN_COOLOFF_MINUTES",
              "CASEWEIGHT_PASSWORD_RESET_PER_HOUR", "CASEWEIGHT_SESSION_IDLE_MINUTES"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more, not {globals()[_name]}.")
# Largest file one import accepts (issue 13); a larger one is refused with a message, not read.
CASEWEIGHT_IMPORT_MAX_BYTES = env_int("CASEWEIGHT_IMPORT_MAX_MB", 50) * 1024 * 1024
if CASEWEIGHT_REVERSE_PROXIES < 0:
    raise ImproperlyConfigured(f"CASEWEIGHT_REVERSE_PROXIES must be 0 or more, not {CASEWEIGHT_REVERSE_PROXIES}.")

AXES_FAILURE_LIMIT = CASEWEIGHT_SIGN_IN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=CASEWEIGHT_SIGN_IN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # one person mistyping never locks out a whole office
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "workload.signin.lockout_response"  # the login page with a message, status 429
AXES_CLIENT_IP_CALLABLE = "workload.signin.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # audit: every failed sign-in (AccessFailureLog); successes: AccessLog
AXES_DISABLE_ACCESS_LOG = False
AXES_VERBOSE = False  # no banner on every manage.py command; sign-ins are audited in the admin
RATELIMIT_IP_META_KEY = "workload.signin.client_ip"  # the same client address as the lockout

# Sessions end after CASEWEIGHT_SESSION_IDLE_MINUTES without a request (every request moves the expiry on)
# and, by default, when the browser closes: shared office computers.
SESSION_COOKIE_AGE = CASEWEIGHT_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("CASEWEIGHT_SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# Email: the console in the demo; SMTP (a mail catcher in docker-compose, a relay in production).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST", "")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Caseweight <caseweight@localhost>")

# Celery: no broker configured means the zero-setup demo, which runs tasks eagerly in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
_redis_broker = CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a task can rerun after a worker crash, hence every task is idempotent
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}  # above the slowest task
CELERY_TIMEZONE = TIME_ZONE
# The emailed reports (issue 12): autodiscovery finds only `tasks` modules, so name the reports' tasks here.
CELERY_IMPORTS = ("reporting.report_tasks",)
# Report schedule (REPORTS.md (c), (d)); day of week as crontab takes it (mon, 1, ...).
CASEWEIGHT_RETURNS_HOUR = env_int("CASEWEIGHT_RETURNS_HOUR", 6)  # the daily returns job, 06:00 (default)
CASEWEIGHT_RETURNS_MINUTE = env_int("CASEWEIGHT_RETURNS_MINUTE", 0)
CASEWEIGHT_SMT_WEEKLY_DAY = env_str("CASEWEIGHT_SMT_WEEKLY_DAY", "mon")
CASEWEIGHT_SMT_WEEKLY_HOUR = env_int("CASEWEIGHT_SMT_WEEKLY_HOUR", 7)
CASEWEIGHT_SMT_WEEKLY_MINUTE = env_int("CASEWEIGHT_SMT_WEEKLY_MINUTE", 0)
CASEWEIGHT_RETURN_REMINDER_DAYS = env_int("CASEWEIGHT_RETURN_REMINDER_DAYS", 5)  # R19: from 5 working days before
CASEWEIGHT_RETURN_ESCALATE_EVERY_DAYS = env_int("CASEWEIGHT_RETURN_ESCALATE_EVERY_DAYS", 5)  # R19: then every 5
CELERY_BEAT_SCHEDULE = {
    # REPORTS.md (a): countersignature reminder for entries unsigned after N working days.
    "entry-countersign-reminders": {
        "task": "supervision.tasks.entry_countersign_reminders_dispatch",
        "schedule": crontab(hour=7, minute=30),
    },
    # POLICIES R09: a concern unanswered after CASEWEIGHT_CONCERN_RESPONSE_DAYS working days goes to the head
    # of service (once per concern).
    "concern-overdue-escalations": {
        "task": "supervision.tasks.concerns_overdue_dispatch",
        "schedule": crontab(hour=7, minute=45),
    },
    # REPORTS.md §1.1 and REP-8: the weekly snapshot at the end of the ISO week's last working day, the
    # month-end snapshot on the month's last calendar day (the task decides which is due, if any).
    "caseload-snapshots": {
        "task": "reporting.tasks.snapshots_take_due",
        "schedule": crontab(hour=env_int("CASEWEIGHT_SNAPSHOT_HOUR", 23), minute=env_int("CASEWEIGHT_SNAPSHOT_MINUTE", 30)),
    },
    # POLICIES §3 (R01, R04, R05, R07, R14) with POL-3 timing: open, update and close escalations from the
    # latest snapshot, after the snapshot task.
    "escalations-evaluate": {
        "task": "reporting.tasks.escalations_evaluate",
        "schedule": crontab(hour=env_int("CASEWEIGHT_ESCALATIONS_HOUR", 23),
                            minute=env_int("CASEWEIGHT_ESCALATIONS_MINUTE", 50)),
    },
    # REPORTS.md (c) "Reminders and escalation", POLICIES R19: the quarterly returns' daily job. Reminders from
    # CASEWEIGHT_RETURN_REMINDER_DAYS working days before the due date, overdue returns to the head of service,
    # and on the first working day after the due date the quarter's authority pack to SMT.
    "quarterly-returns-daily": {
        "task": "reporting.report_tasks.quarterly_returns_daily",
        "schedule": crontab(hour=CASEWEIGHT_RETURNS_HOUR, minute=CASEWEIGHT_RETURNS_MINUTE),
    },
    # REPORTS.md (d): the weekly SMT caseload report, Mondays 07:00 by default, from the previous week's snapshot.
    "smt-weekly-report": {
        "task": "reporting.report_tasks.smt_weekly_dispatch",
        "schedule": crontab(day_of_week=CASEWEIGHT_SMT_WEEKLY_DAY, hour=CASEWEIGHT_SMT_WEEKLY_HOUR,
                            minute=CASEWEIGHT_SMT_WEEKLY_MINUTE),
    },
    # REPORTS.md (d): its monthly edition on the 1st, for the month just ended (same time of day).
    "smt-monthly-report": {
        "task": "reporting.report_tasks.smt_monthly_dispatch",
        "schedule": crontab(day_of_month=1, hour=CASEWEIGHT_SMT_WEEKLY_HOUR, minute=CASEWEIGHT_SMT_WEEKLY_MINUTE),
    },
}


def _next_redis_database(url: str) -> str:
    """The same Redis server, the database after the broker's: clearing the cache never empties the queue."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{int(parts.path.strip('/') or 0) + 1}"))


# Cache: it holds the password-reset rate-limit counts, which every web process must share. By default the
# broker's Redis server (compose, CI, tests); the demo has no broker, and its one runserver process counts
# in its own memory.
CACHE_URL = env_str("DJANGO_CACHE_URL", _next_redis_database(_redis_broker) if _redis_broker else "")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
    # django-ratelimit lists only django-redis; Django's own RedisCache increments with Redis INCR, which is atomic.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Not shared between processes: right for the demo's single runserver process only.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

CRISPY_ALLOWED_TEMPLATE_PACKS = CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Product settings.
CASEWEIGHT_AUTHORITY_NAME = env_str("CASEWEIGHT_AUTHORITY_NAME", "Northshire County Council")  # the demo's authority
CASEWEIGHT_SITE_URL = env_str("CASEWEIGHT_SITE_URL", "http://localhost:8000")
CASEWEIGHT_COUNTERSIGN_REMINDER_DAYS = env_int("CASEWEIGHT_COUNTERSIGN_REMINDER_DAYS", 5)  # REP-16 (default)
# POLICIES R09: the line manager answers a workload concern within 5 working days; later, it goes to the head of service
CASEWEIGHT_CONCERN_RESPONSE_DAYS = env_int("CASEWEIGHT_CONCERN_RESPONSE_DAYS", 5)
CASEWEIGHT_FULLTIME_HOURS = env_int("CASEWEIGHT_FULLTIME_HOURS", 37)  # POLICIES §6 fulltime_hours
# Imports in the app (docs/import.md, "In the app"): the row count above which checking and applying run in a
# Celery task with progress shown instead of in the request (the largest file: CASEWEIGHT_IMPORT_MAX_BYTES above).
CASEWEIGHT_IMPORT_TASK_ROWS = env_int("CASEWEIGHT_IMPORT_TASK_ROWS", 2000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every step at INFO ("Step 2 - Fetching and parsing CSS"): warnings only
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}
