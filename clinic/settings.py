"""One settings file, configured by environment.

Defaults are the embedded set-up (SQLite, a Celery broker on the filesystem, email written to files
under var/) so that `make run` needs no server. DATABASE_URL, REDIS_URL and EMAIL_URL switch to
PostgreSQL, Redis and SMTP. With DEBUG off, a missing SECRET_KEY stops start-up.
"""

import os
from datetime import time, timedelta
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

# `make install` writes a local .env (DEBUG on, a random key) for this checkout; the environment
# always wins over it, and ENV_FILE= (empty) ignores it, as the tests and containers do.
ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE)

env = environ.Env()
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for a local demo."
        )
    SECRET_KEY = "insecure-local-demo-key-never-use-in-production"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "clinic",
    "patients",
    "triage",
    "outbox",
    "referrals",
    "programmes",
    "selfintake",
    "questions",
    "examination",
    "psychosocial",
    "interop",
    "audit",
    "health",
    "governance",
    "outcomes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # No-store on pages with patient data, Permissions-Policy everywhere (clinic/middleware.py).
    "clinic.middleware.TrustHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of the page: the browser's (Accept-Language) among LANGUAGES, else English.
    # After sessions, before CommonMiddleware (Django's order); a member of staff's own choice
    # and a patient's page's language come later (clinic/language.py).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which second factor (if any) this session was verified with: request.user.is_verified().
    "django_otp.middleware.OTPMiddleware",
    # The language a member of staff chose (Your language), once they are signed in.
    "clinic.language.StaffLanguageMiddleware",
    # Every page is behind login unless its view says otherwise (only the login page does).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits (clinic/sessions.py): it signs out and leaves a message.
    "clinic.sessions.SessionTimeoutMiddleware",
    # A signed-in user who needs a second factor and has not given one reaches only the sign-in,
    # two-factor and sign-out pages (clinic/two_factor/middleware.py); the admin included.
    "clinic.two_factor.middleware.SecondFactorMiddleware",
    # Lets reception's intake page give the rules' advice while the database is down, for staff
    # signed in on this browser (clinic/desk_pass.py, patients/offline.py).
    "clinic.desk_pass.DeskPassMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.roles.roles_context",
                "clinic.sessions.session_context",
                "clinic.views.clinic_details",
                "health.context_processors.health_banner",
                "governance.context_processors.ruleset_banner",
                "questions.context_processors.questions_waiting",
            ],
        },
    },
]

# An empty DATABASE_URL (`DATABASE_URL=` in a shell or a .env) means the embedded default, as an
# unset one does, never a database with no engine.
EMBEDDED_DATABASE_URL = f"sqlite:///{VAR_DIR / 'clinic.sqlite3'}"
DATABASES = {
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or EMBEDDED_DATABASE_URL)
}
if not env.str("DATABASE_URL", default="") or not env.str("REDIS_URL", default=""):
    # The embedded set-up keeps its database, broker queue and mail under var/.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the Celery worker share the embedded database.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that does not answer is down, not slow: a page says so (clinic/unavailable.py)
    # within seconds instead of hanging the desk.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out account or address before any password is checked.
# Then the user and their roles in one query a request (clinic/auth.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "clinic.auth.StaffBackend"]
# Lockout after AXES_FAILURE_LIMIT failed sign-ins for one username, or from one address whatever
# the usernames tried, until AXES_COOLOFF_MINUTES pass without another; an admin can unlock
# sooner (Admin > Axes > Access attempts: delete the attempt). Sign-ins and failures are kept.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_LOCKOUT_CALLABLE = "clinic.lockout.locked_out"
# How many reverse proxies (each appending to X-Forwarded-For) stand in front of the app: 0 when
# gunicorn is reached directly. The address a lockout counts is the one the outermost proxy saw.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "clinic.lockout.client_address"
# A hostile username is cut to what axes's records hold; its own log lines stay off (the
# attempts and sign-ins are its records, and command-line tools print nothing of it).
AXES_USERNAME_CALLABLE = "clinic.lockout.username"
AXES_VERBOSE = False
# A wrong two-factor code counts as a failed sign-in too; the code tried is not kept.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]  # axes adds "password"
# Two-factor authentication (clinic/two_factor/): a TOTP authenticator app and ten backup codes
# (django-otp). Required for these roles ("admin": staff and superusers, the Django admin's
# users); any other member of staff may set it up, and once they have, it is asked of them too.
TWO_FACTOR_REQUIRED_ROLES = frozenset(
    env.list(
        "TWO_FACTOR_REQUIRED_ROLES",
        default=["clinician", "clinic lead", "clinical safety officer", "admin"],
    )
)
TWO_FACTOR_BACKUP_CODES = 10
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Clinic triage")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret
# The embedded demo only (`make run`): the code page shows the demo user's current code, so the
# demo needs no authenticator app. Production settings refuse it.
TWO_FACTOR_DEMO_CODES = env.bool("TWO_FACTOR_DEMO_CODES", default=False)
if TWO_FACTOR_DEMO_CODES and not DEBUG:
    raise ImproperlyConfigured(
        "TWO_FACTOR_DEMO_CODES shows sign-in codes on the page: it is for the local demo only "
        "and needs DEBUG=true. Unset it."
    )
# Sessions end after this long without activity (the queue's own refresh is not activity), and
# after SESSION_ABSOLUTE_HOURS in all; clinic/sessions.py.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=15)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# English (British) and German: every string a person reads goes through gettext; the German
# catalogue is locale/de/LC_MESSAGES/django.po.
LANGUAGES = [("en-gb", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("CLINIC_TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
if DEBUG:
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

# Exercise pictures and videos (uploaded in the admin). Files under MEDIA_ROOT in the embedded
# set-up; MEDIA_STORAGE=s3 keeps them in a private S3-compatible bucket (django-storages; the
# credentials come from the standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment or the
# host's role). No open address serves them: MEDIA_URL is a view for signed-in staff (the admin's
# preview), and a patient's page has its own, behind their signed link (programmes/media.py).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/programmes/media/"
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE == "s3":
    STORAGES["exercise_media"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("MEDIA_S3_BUCKET"),
            "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("MEDIA_S3_REGION", default="") or None,
            "location": "exercises",
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 300,
        },
    }
elif MEDIA_STORAGE == "filesystem":
    STORAGES["exercise_media"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "exercises", "base_url": MEDIA_URL},
    }
else:
    raise ImproperlyConfigured("MEDIA_STORAGE must be filesystem or s3")
# The largest upload the admin accepts for an exercise's picture and its video.
EXERCISE_IMAGE_MAX_BYTES = env.int("EXERCISE_IMAGE_MAX_MB", default=5) * 1024 * 1024
EXERCISE_VIDEO_MAX_BYTES = env.int("EXERCISE_VIDEO_MAX_MB", default=50) * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: files a person can read by default; EMAIL_URL (smtp://user:pass@host:port) for SMTP.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url_config(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="clinic@localhost")
# A letter with health data (a referral letter) goes only over an encrypted SMTP connection
# (smtp+tls:// or smtps:// in EMAIL_URL); over a plain one it is held, dead with the reason, on
# /outbox/. True allows plain SMTP for letters: a relay on this machine, or the test sink.
ALLOW_PLAIN_SMTP_FOR_LETTERS = env.bool("ALLOW_PLAIN_SMTP_FOR_LETTERS", default=False)

# Celery: Redis when REDIS_URL is set; otherwise a broker on the filesystem that needs no server.
REDIS_URL = env.str("REDIS_URL", default="")
# Django's cache: Redis when REDIS_URL is set, shared by every process (it keeps, for one, the
# clinic's chosen rule set for a process that starts while the database is down:
# governance/active.py); otherwise each process's memory. Short timeouts: a cache that does not
# answer is a miss, never a page that waits.
CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="clinic"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    _queue_dir = VAR_DIR / "celery" / "queue"
    for _folder in (_queue_dir, VAR_DIR / "celery" / "control"):
        _folder.mkdir(parents=True, exist_ok=True)  # the broker's folders, before any publish
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "polling_interval": 0.1,  # an idle worker looks again soon: alerts leave within a second
    }
# A publish that cannot reach the broker gives up within a second: the outbox rows wait in the
# database for the dispatcher, and the person saving an intake sees no error and no delay.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.4,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
# A name of its own lets tests and benchmarks run side by side. Clinician alerts and escalations
# travel on a queue of their own, so that they never wait behind a backlog of other mail; a worker
# started without --queues takes both, the urgent one listed first.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
OUTBOX_URGENT_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}.urgent"
CELERY_TASK_QUEUES = (
    Queue(OUTBOX_URGENT_QUEUE, routing_key=OUTBOX_URGENT_QUEUE),
    Queue(CELERY_TASK_DEFAULT_QUEUE, routing_key=CELERY_TASK_DEFAULT_QUEUE),
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # The outbox's safety net and everything scheduled later (DESIGN.md: the database is the
    # source of truth for everything scheduled).
    "outbox-dispatch": {
        "task": "outbox.dispatch",
        "schedule": env.float("OUTBOX_DISPATCH_SECONDS", default=60.0),
    },
    # Cases nobody has claimed by their alert deadline escalate.
    "triage-escalate": {
        "task": "triage.escalate_unclaimed",
        "schedule": env.float("ESCALATION_CHECK_SECONDS", default=30.0),
    },
    # Programme reminders and check-ins that have fallen due become outbox rows.
    "programmes-queue-due": {
        "task": "programmes.queue_due",
        "schedule": env.float("PROGRAMME_MAIL_CHECK_SECONDS", default=60.0),
    },
    # Self-intake drafts whose link has expired are deleted (they hold the patient's answers), and
    # self-referral requests never confirmed.
    "selfintake-purge-expired": {
        "task": "selfintake.purge_expired",
        "schedule": env.float("SELF_INTAKE_PURGE_SECONDS", default=3600.0),
    },
    # Messages sent more than OUTBOX_RETENTION_DAYS ago lose their bodies and attachments.
    "outbox-remove-old-content": {
        "task": "outbox.remove_old_content",
        "schedule": env.float("OUTBOX_RETENTION_CHECK_SECONDS", default=3600.0),
    },
    # Programmes whose patient keeps to them without getting better are flagged for review.
    "outcomes-flag-non-responders": {
        "task": "outcomes.flag_non_responders",
        "schedule": env.float("NON_RESPONDER_CHECK_SECONDS", default=86400.0),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")

# Triage: the deadline by which a case of each urgency must be seen (from when it entered the queue).
TRIAGE_SLA = {
    "EMERGENCY": timedelta(minutes=env.int("SLA_EMERGENCY_MINUTES", default=15)),
    "URGENT": timedelta(hours=env.int("SLA_URGENT_HOURS", default=4)),
    "SOON": timedelta(days=env.int("SLA_SOON_DAYS", default=7)),
    "ROUTINE": timedelta(days=env.int("SLA_ROUTINE_DAYS", default=28)),
    "SELF_CARE": timedelta(days=env.int("SLA_SELF_CARE_DAYS", default=2)),
}
# Clinic policy (clinical/red-flags.md section 5): whether a medium psychosocial risk category
# routes to a clinician (ROUTINE) as high risk does. Off by default; the rule-set version says which.
TRIAGE_MEDIUM_PSYCHOSOCIAL_RISK_IS_ROUTINE = env.bool(
    "TRIAGE_MEDIUM_PSYCHOSOCIAL_RISK_IS_ROUTINE", default=False
)
# Clinical governance (governance/): new intakes are triaged with the signed-off rule-set version
# the clinic has chosen. Only the embedded demo (DEBUG) may triage with an unsigned one, and says so.
TRIAGE_UNSIGNED_RULESET_ALLOWED = env.bool("TRIAGE_UNSIGNED_RULESET_ALLOWED", default=DEBUG)
if TRIAGE_UNSIGNED_RULESET_ALLOWED and not DEBUG:
    raise ImproperlyConfigured(
        "TRIAGE_UNSIGNED_RULESET_ALLOWED lets a rule set nobody signed off triage patients: it is "
        "for the local demo only and needs DEBUG=true. Unset it, and have the clinical safety "
        "officer sign a rule set off."
    )
# How long a process keeps its copy of the clinic's chosen version (governance/active.py).
GOVERNANCE_ACTIVE_CACHE_SECONDS = env.float("GOVERNANCE_ACTIVE_CACHE_SECONDS", default=5.0)
# A trial run on the page (a Celery task) whose worker has said nothing for this long is marked
# failed, so that a worker restarted mid-run never leaves it "running" for ever.
GOVERNANCE_TRIAL_STALE_SECONDS = env.float("GOVERNANCE_TRIAL_STALE_SECONDS", default=300.0)
CLINIC_NAME = env.str("CLINIC_NAME", default="Riverside Spine & Posture Clinic")
# Shown on the pages a failure leaves (templates/503.html, 500.html). The default is in Ofcom's
# range for drama (01632 960xxx), never a real line: set the clinic's own.
CLINIC_PHONE = env.str("CLINIC_PHONE", default="01632 960000")
CLINIC_IT_CONTACT = env.str("CLINIC_IT_CONTACT", default="")
# On every patient page (templates/programmes/patient/base_patient.html); lines split by "|".
CLINIC_ADDRESS = env.str("CLINIC_ADDRESS", default="1 River Street|Riverside|RV1 1AA")
# The address links in emails point to (no record details travel by email, only links).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Clinician alerts: a case nobody has claimed by this deadline escalates to every clinician and
# the clinic lead, and again at each further deadline until somebody claims it.
ALERT_DEADLINE = {
    "EMERGENCY": timedelta(minutes=env.int("ALERT_EMERGENCY_MINUTES", default=5)),
    "URGENT": timedelta(minutes=env.int("ALERT_URGENT_MINUTES", default=60)),
}
# Who is told when the rota has nobody on duty and no fallback has an email address.
ALERT_LAST_RESORT_EMAIL = env.str("ALERT_LAST_RESORT_EMAIL", default="")

# Outbox: how many attempts before a message is dead, how long a worker's claim lasts, how many
# messages share one SMTP connection, the longest wait between tries.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_LEASE = timedelta(seconds=env.int("OUTBOX_LEASE_SECONDS", default=120))
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=50)
OUTBOX_MAX_RETRY_DELAY = timedelta(seconds=env.int("OUTBOX_MAX_RETRY_SECONDS", default=600))
OUTBOX_MESSAGE_ID_DOMAIN = env.str("OUTBOX_MESSAGE_ID_DOMAIN", default="clinic-triage.local")
# Retention: a message sent (or cancelled) this many days ago keeps who, what kind and when, and
# loses its bodies, attachment and headers. The record of care is the case (its decisions, the
# referral and its letter), not the email's copy (README, "Trust").
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=30)

# Health (health/): the banner on every staff page when an email has waited this long to go out,
# or no worker has finished a task for this long; a clinician alert failing this long (or dead)
# is marked on its case and the next clinician is tried. /readyz and /metrics answer only with
# HEALTH_TOKEN (Authorization: Bearer, or ?token=) or from HEALTH_ALLOWED_ADDRESSES (addresses or
# networks, e.g. 10.0.0.0/8); none by default.
HEALTH_MESSAGE_WAIT = timedelta(minutes=env.float("HEALTH_MESSAGE_WAIT_MINUTES", default=5))
HEALTH_WORKER_IDLE = timedelta(minutes=env.float("HEALTH_WORKER_IDLE_MINUTES", default=3))
ALERT_UNDELIVERED_AFTER = timedelta(minutes=env.float("ALERT_UNDELIVERED_MINUTES", default=2))
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")
HEALTH_ALLOWED_NETWORKS = [
    ip_network(address, strict=False)
    for address in env.list("HEALTH_ALLOWED_ADDRESSES", default=[])
]

# Home-exercise programmes. Check-ins at these weeks after the start (the Neck Disability Index at
# the start and at the last one); a patient's page link works for PROGRAMME_LINK_DAYS (each
# reminder and check-in email carries a fresh one); a reminder more than PROGRAMME_REMINDER_LATEST
# late (the service was down) is skipped rather than sent on the wrong day.
PROGRAMME_CHECK_IN_WEEKS = sorted(
    {int(week) for week in env.list("PROGRAMME_CHECK_IN_WEEKS", default=["1", "2", "4", "6"])}
)
PROGRAMME_LINK_MAX_AGE = timedelta(days=env.int("PROGRAMME_LINK_DAYS", default=21))
PROGRAMME_REMINDER_TIME = time.fromisoformat(env.str("PROGRAMME_REMINDER_TIME", default="18:00"))
PROGRAMME_REMINDER_LATEST = timedelta(hours=env.int("PROGRAMME_REMINDER_LATEST_HOURS", default=6))
PROGRAMME_CHECK_IN_EARLY = timedelta(hours=env.int("PROGRAMME_CHECK_IN_EARLY_HOURS", default=24))
# The printed handout carries a short link to the patient's page (programmes/links.py), which
# anyone holding the paper can open: off unless the clinic chooses it.
PROGRAMME_HANDOUT_LINK = env.bool("PROGRAMME_HANDOUT_LINK", default=False)
# Questions from patients (questions/): at most QUESTIONS_MAX_OPEN waiting for a reply per
# programme, so one page cannot flood the clinicians' worklist.
QUESTIONS_MAX_OPEN = env.int("QUESTIONS_MAX_OPEN", default=3)

# Non-responders (outcomes/non_responders.py, where the sources are): a patient who has done at
# least NON_RESPONDER_MIN_ADHERENCE_PERCENT of their planned sessions by the week-
# NON_RESPONDER_WEEK check-in without the clinically important change (2 pain points, 5 NDI
# points) is flagged to the prescribing clinician. The week must be a check-in week. The 75% is
# clinic policy, a commonly used threshold with no single published source.
NON_RESPONDER_WEEK = env.int("NON_RESPONDER_WEEK", default=4)
NON_RESPONDER_MIN_ADHERENCE_PERCENT = env.int("NON_RESPONDER_MIN_ADHERENCE_PERCENT", default=75)
if NON_RESPONDER_WEEK not in PROGRAMME_CHECK_IN_WEEKS:
    raise ImproperlyConfigured(
        f"NON_RESPONDER_WEEK={NON_RESPONDER_WEEK} is not a check-in week "
        f"(PROGRAMME_CHECK_IN_WEEKS: {PROGRAMME_CHECK_IN_WEEKS})"
    )
if not 0 < NON_RESPONDER_MIN_ADHERENCE_PERCENT <= 100:
    raise ImproperlyConfigured("NON_RESPONDER_MIN_ADHERENCE_PERCENT must be 1 to 100")

# Self-intake (selfintake/): the link a patient answers their intake from works for
# SELF_INTAKE_LINK_HOURS, once. The patient confirms their date of birth first: after
# SELF_INTAKE_TRIES_BEFORE_PAUSE wrong answers the link pauses for SELF_INTAKE_PAUSE_MINUTES, and
# after SELF_INTAKE_MAX_WRONG in all it stops working (the clinic sends a new one). A confirmed
# date of birth lasts SELF_INTAKE_IDLE_MINUTES on that browser without a step answered.
SELF_INTAKE_LINK_MAX_AGE = timedelta(hours=env.int("SELF_INTAKE_LINK_HOURS", default=72))
SELF_INTAKE_TRIES_BEFORE_PAUSE = env.int("SELF_INTAKE_TRIES_BEFORE_PAUSE", default=3)
SELF_INTAKE_PAUSE = timedelta(minutes=env.int("SELF_INTAKE_PAUSE_MINUTES", default=15))
SELF_INTAKE_MAX_WRONG = env.int("SELF_INTAKE_MAX_WRONG", default=10)
SELF_INTAKE_IDLE = timedelta(minutes=env.int("SELF_INTAKE_IDLE_MINUTES", default=60))

# Public self-referral (selfintake/referral.py): off unless the clinic chooses it (the page is
# then a 404). A request emails a confirmation link that works once for
# SELF_REFERRAL_LINK_HOURS; at most SELF_REFERRAL_PER_ADDRESS confirmation emails go to one
# address, and SELF_REFERRAL_PER_CLIENT are asked from one client address, in any 24 hours.
SELF_REFERRAL_ENABLED = env.bool("SELF_REFERRAL_ENABLED", default=False)
SELF_REFERRAL_LINK_MAX_AGE = timedelta(hours=env.int("SELF_REFERRAL_LINK_HOURS", default=24))
SELF_REFERRAL_PER_ADDRESS = env.int("SELF_REFERRAL_PER_ADDRESS", default=3)
SELF_REFERRAL_PER_CLIENT = env.int("SELF_REFERRAL_PER_CLIENT", default=10)

# Security: production defaults whenever DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 10)  # one clinic day
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # A load balancer's probes speak plain HTTP to the app itself.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Logs carry no health details: record ids and events, never answers, names or symptoms. Every
# handler redacts patient links and query strings (clinic/logging.py). Django's own handlers for
# "django" and "django.server" (which would skip the filter) are replaced: both go to the root.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "clinic.logging.RedactPatientData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # Its DEBUG records print the template's context (a patient's name among it).
        "django.template": {"level": "INFO"},
    },
}
