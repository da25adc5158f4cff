"""Settings, read from the environment only (see .env.example for every variable).

Embedded mode for `make run`: with no DATABASE_URL the app uses SQLite, and with
no REDIS_URL Celery tasks run in-process. Tests, CI and production set both.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    # Local development only: DEBUG=1 is never a production setting.
    SECRET_KEY = "local-development-only-not-secret"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "tpm_workspace.apps.WorkspaceAdminConfig",  # django.contrib.admin with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "simple_history",
    "csp",
    "axes",
    "core",
    "workspaces",
    "activity",
    "backlog",
    "roadmap",
    "decisions",
    "webhooks",
    "jira_sync",
    "home",
    "demo",
    "portfolio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # PostgreSQL away (restart, failover): a 503 page in words instead of a 500 (core/unavailable.py).
    "core.unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tpm_workspace.urls"

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
                "core.ui.context_processors.ui",
                "activity.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "tpm_workspace.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A persistent connection is checked before reuse: one PostgreSQL dropped (a restart) is replaced.
        conn_health_checks=True,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
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

# Sign-in throttling (django-axes, core/login_throttle.py): after AXES_FAILURE_LIMIT failed sign-ins for a
# username from one address, that pair is refused — even with the right password — for the cool-off, on the
# sign-in page and the admin's; other people and other addresses are unaffected. Attempts live in the database.
AUTHENTICATION_BACKENDS = [
    "core.login_throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.login_throttle.lockout_response"  # templates/registration/locked_out.html
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = False  # unlock with `manage.py axes_reset_username <name>`; the admin lists only scoped rows
AXES_DISABLE_ACCESS_LOG = True  # failures are counted; successful sign-ins are not logged again here
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False  # no banner on every command; lockouts are still logged (username and address)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Redis: cache and Celery broker. Without REDIS_URL the cache is per-process and
# tasks run eagerly in the calling process (embedded mode).
REDIS_URL = os.environ.get("REDIS_URL", "")
# While Redis is unreachable the cache misses and drops writes (core/cache.py); the timeouts bound how
# long a request waits to find that out when Redis does not even refuse the connection.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# The visibility timeout must outlast the longest task, or Redis redelivers it mid-run.
# Redis down: a publish fails at once (max_retries 0; kombu otherwise reconnects for ~6 s on every call)
# and `.delay()` retries once; the work waits in the outboxes (Jira pushes, webhook deliveries) and
# their sweeps send it when Redis is back. A worker's own connection keeps Celery's reconnect policy.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60, "max_retries": 0, "socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
CELERY_TIMEZONE = TIME_ZONE

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "TPM Workspace <noreply@localhost>")
# Absolute base of links in e-mails, e.g. https://tpm.example.com
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Outgoing webhooks may not target private or loopback addresses unless this is on (defaults to DEBUG).
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=DEBUG)

# How long finished outbox rows are kept (webhook events with their deliveries and attempts, done Jira
# pushes, processed Jira webhook events) before the nightly prune deletes them; pending work is never pruned.
OUTBOX_RETENTION = timedelta(days=int(os.environ.get("OUTBOX_RETENTION_DAYS", "30")))
# How long the Jira sync's finished runs (its history page) are kept; the newest run of each kind and outcome
# of a mapping stays whatever its age, for the sync's health.
SYNC_RUN_RETENTION = timedelta(days=int(os.environ.get("SYNC_RUN_RETENTION_DAYS", "90")))

# Content-Security-Policy: no inline script anywhere (django-csp 4).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_TLS_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# REST API v1: token or session auth, JSON errors of one shape, per-token throttling on the cache.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "core.api.filters.StableOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ApiSchema",
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.PerTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("API_RATE_PER_TOKEN", "1200/minute"),
        "anon": os.environ.get("API_RATE_ANONYMOUS", "60/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Bodies above this answer 413 (Django's default is 2.5 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(1024 * 1024)))

SPECTACULAR_SETTINGS = {
    "TITLE": "TPM Workspace API",
    "DESCRIPTION": (
        "Roadmaps, backlog, PRDs and decision records of your workspaces. Authenticate with a personal token "
        '(`Authorization: Bearer tpm_…`). Every error has the shape {"error": {status, code, message, fields}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are public: they describe the API, never data.
    "SERVE_PUBLIC": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One named enum per choice set, so that clients get stable type names.
    "ENUM_NAME_OVERRIDES": {
        "WorkspaceRoleEnum": "workspaces.models.Role",
        "NotificationKindEnum": "activity.models.Notification.Kind",
        "StatusCategoryEnum": "backlog.models.StatusCategory",
        "StoryPriorityEnum": "backlog.models.Priority",
        "SprintStateEnum": "backlog.models.Sprint.State",
        "TechDebtKindEnum": "backlog.models.TechDebtItem.Kind",
        "TechDebtImpactEnum": "backlog.models.TechDebtItem.Impact",
        "RoadmapKindEnum": "roadmap.models.Roadmap.Kind",
        "MilestoneKindEnum": "roadmap.models.Milestone.Kind",
        "LaneEnum": "roadmap.models.Lane",
        "ConfidenceEnum": "roadmap.models.Confidence",
        "RoadmapItemStatusEnum": "roadmap.models.RoadmapItem.Status",
        "StakeholderRoleEnum": "decisions.models.StakeholderRole",
        "PRDStatusEnum": "decisions.models.PRD.Status",
        "SectionKindEnum": "decisions.models.SectionKind",
        "RequirementPriorityEnum": "decisions.models.Requirement.Priority",
        "DecisionStatusEnum": "decisions.models.DecisionRecord.Status",
        "LevelEnum": "decisions.models.Level",
        "ParticipantPartEnum": "decisions.models.DecisionParticipant.Part",
        "SignOffStateEnum": "decisions.models.SignOff.State",
        "SignOffEventKindEnum": "decisions.models.SignOffEvent.Kind",
        "WebhookEventKindEnum": "webhooks.models.EventKind",
        "WebhookDeliveryStateEnum": "webhooks.models.WebhookDelivery.State",
        "JiraDirectionEnum": "jira_sync.models.Direction",
        "JiraConflictPolicyEnum": "jira_sync.models.ConflictPolicy",
        "JiraSyncRunKindEnum": "jira_sync.models.SyncRun.Kind",
        "JiraSyncRunStatusEnum": "jira_sync.models.SyncRun.Status",
        "JiraConflictStatusEnum": "jira_sync.models.Conflict.Status",
        "JiraConflictSideEnum": "jira_sync.models.Conflict.Side",
        "JiraStatusCategoryEnum": "jira_sync.models.StatusMapping.Category",
        "JiraArchiveReasonEnum": "jira_sync.models.IssueLink.ArchiveReason",
        "JiraItemKindEnum": "jira_sync.models.ItemKind",
        "JiraDeploymentEnum": "jira_sync.api.serializers.DEPLOYMENT_CHOICES",
        "JiraSyncStateEnum": "jira_sync.api.serializers.SYNC_STATES",
    },
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
