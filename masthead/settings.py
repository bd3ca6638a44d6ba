"""masthead's one settings module: every deployment choice is an environment variable read here, once."""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MASTHEAD_VAR_DIR") or BASE_DIR / "var")

# Set by the test configuration (pyproject.toml); never in a deployment.
TESTING = env_bool("MASTHEAD_TESTING", False)
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
SECRET_KEY_FILE = VAR_DIR / "secret_key"
if not SECRET_KEY and not TESTING and SECRET_KEY_FILE.is_file():
    # The key `make run` generated, so that commands run from the checkout (`masthead demo`, `manage.py ...`)
    # sign and read what the running site does.
    SECRET_KEY = SECRET_KEY_FILE.read_text().strip()
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            f"SECRET_KEY is not set and {SECRET_KEY_FILE} does not exist. `make run` generates that file; in "
            "production set SECRET_KEY in the environment (50 or more random characters)."
        )
    SECRET_KEY = "insecure-key-for-development-and-tests-only-never-deploy-this-0123456789"

MASTHEAD_BASE_URL = os.environ.get("MASTHEAD_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(MASTHEAD_BASE_URL)
if _base.scheme not in {"http", "https"} or not _base.hostname:
    raise ImproperlyConfigured(f"MASTHEAD_BASE_URL must be an http(s) URL, not {MASTHEAD_BASE_URL!r}")
# A site served over https gets the full set of transport protections; a local http one cannot use them.
MASTHEAD_HTTPS = _base.scheme == "https"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [_base.hostname, "localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

INSTALLED_APPS = [
    "masthead.core",
    "masthead.accounts",
    "masthead.articles",
    "masthead.syndication",
    "masthead.demo",
    "masthead.discussion",
    "masthead.annotations",
    "masthead.membership",
    "masthead.newsletters",
    "anymail",  # e-mail providers' backends and the webhooks that report bounces and complaints
    "masthead.search",
    "masthead.scheduling",
    "masthead.wordpress",
    "masthead.sources",
    "wagtail.contrib.settings",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.humanize",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
    "ninja",  # the API docs page's scripts and styles served from here, not from a CDN
    "csp",
    # The page layer, last: its Wagtail hooks run inside Wagtail's own (view restrictions first).
    "masthead.delivery",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML and JSON compressed on the way out (static files come compressed from WhiteNoise). Above every
    # middleware that reads or writes the body, so it compresses what they made. BREACH (a secret guessed from
    # compressed sizes, with attacker-chosen text in the same response): the one secret in our pages is the
    # CSRF token, and Django's get_token masks it afresh for every response (delivery/holes.py fills each
    # response's own), so no two responses carry it the same; GZipMiddleware also pads each response with
    # random bytes (Django's "Heal The Breach"). Sign-in link tokens are never written into a page.
    "django.middleware.gzip.GZipMiddleware",
    # Cache-Control: private on every response that depends on the reader (masthead/delivery/holes.py). Before
    # the session and CSRF middlewares, so that it sees the cookies they set on the way out.
    # Cache-Control and Surrogate-Control for a cache in front (Varnish): shared or private by kind of response
    # (masthead/delivery/edge.py). Outside PrivateResponsesMiddleware, so that it sees what that one marked.
    "masthead.delivery.edge.EdgeCacheMiddleware",
    "masthead.delivery.holes.PrivateResponsesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface speaks the page's language (masthead.core.i18n), never the browser's Accept-Language.
    "masthead.core.i18n.ContentLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Fills each reader's CSRF token into HTML rendered with a hole for it (masthead/delivery/holes.py).
    "masthead.delivery.holes.CsrfHoleMiddleware",
    # Answers cached article pages before Wagtail's routing (masthead/delivery/page_cache.py).
    "masthead.delivery.page_cache.ArticlePageCacheMiddleware",
]

# Content-Security-Policy (django-csp): the site's own scripts only, no inline script. Styles may be inline (style
# attributes in Wagtail's rich text and embeds). Embeds frame other sites; Stripe's checkout is a form's
# redirect target. Wagtail's admin is left out: its own templates carry inline scripts (five in Wagtail 8.0.1).
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF, "'unsafe-inline'"],
        "img-src": [CSP_SELF, "data:"],
        "frame-src": [CSP_SELF, "https:"],
        "frame-ancestors": [CSP_SELF],
        "form-action": [CSP_SELF, "https://checkout.stripe.com", "https://billing.stripe.com"],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
    },
}

ROOT_URLCONF = "masthead.urls"
WSGI_APPLICATION = "masthead.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "masthead" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "masthead.articles.context_processors.publication",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    # The embedded default keeps its database under var/, which a fresh clone does not have yet.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'masthead.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write while the web server reads; the busy timeout absorbs short lock waits.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# "shared" holds what every server process must agree on (rate limits, the reading meter): Redis when there is
# one, otherwise a table in the database (`manage.py createcachetable`, run by `make run`), never one process's
# memory. "default" holds what each process may keep for itself (rendered pages keyed by the cache stamps).
SHARED_CACHE_TABLE = "masthead_shared_cache"
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "shared",
        },
    }
    # Sessions read from Redis, written through to the database. Only with a cache every server process
    # shares: with local memory, a sign-out in one process would leave the session alive in the others.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": SHARED_CACHE_TABLE},
    }

# Rate limits are counted in Redis when there is one, else in a table of their own (core/ratelimit.py).
MASTHEAD_RATE_LIMITS_IN = "cache" if REDIS_URL else "database"

# Where tasks wait for a worker: "database" (django-tasks-db, `manage.py db_worker`; one machine, no Redis) or
# "rq" (django-tasks' RQ backend on Redis, `manage.py rqworker --job-class django_tasks_rq.Job default`; several
# workers on several machines). The RQ queue lives at MASTHEAD_RQ_URL, by default REDIS_URL.
MASTHEAD_TASKS_BACKEND = os.environ.get("MASTHEAD_TASKS_BACKEND", "database")
if MASTHEAD_TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif MASTHEAD_TASKS_BACKEND == "rq":
    MASTHEAD_RQ_URL = os.environ.get("MASTHEAD_RQ_URL") or REDIS_URL
    if not MASTHEAD_RQ_URL:
        raise ImproperlyConfigured("MASTHEAD_TASKS_BACKEND=rq needs REDIS_URL (or MASTHEAD_RQ_URL)")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # A task that runs longer than this is stopped (a newsletter batch is the longest).
    RQ_QUEUES = {"default": {"URL": MASTHEAD_RQ_URL, "DEFAULT_TIMEOUT": 900}}
else:
    raise ImproperlyConfigured(f"MASTHEAD_TASKS_BACKEND must be database or rq, not {MASTHEAD_TASKS_BACKEND!r}")
if TESTING:
    # Tests run tasks in-line so that what a task does can be asserted right after the call.
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Periodic tasks and the minutes between their runs: `manage.py run_scheduler` enqueues each when due, on any
# task backend, and a worker runs it (masthead/scheduling/README.md).
MASTHEAD_PERIODIC_TASKS = {
    "masthead.articles.tasks.publish_due_pages": 1,
    # Commenters' IP hashes forgotten after the retention period.
    "masthead.discussion.actions.privacy.purge_ip_hashes": 60,
    # One e-mail per moderator about the comments held and the reports made since the last one.
    "masthead.discussion.actions.notices.send_moderator_notices": 15,
    # Newsletter sends that paused (the mail server failed) or were cut short (a worker died) carry on.
    "masthead.newsletters.tasks.resume_unfinished_sends": 5,
    # Rate-limit counters of windows that have ended (kept in the database when there is no Redis).
    "masthead.core.ratelimit.forget_rate_counters": 60,
    # Source outlets' feeds: each feed says how often it is checked; this looks every minute for those due.
    "masthead.sources.tasks.check_due_feeds": 1,
    # Daily and weekly digests, each at its newsletter's set local time (once per period, however often run).
    "masthead.newsletters.digests.queue_due_digests": 1,
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "masthead" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
# With no web server in front (make run), Django serves uploaded media itself; behind nginx, turn it off.
MASTHEAD_SERVE_MEDIA = env_bool("MASTHEAD_SERVE_MEDIA", True)
# Files of images in the gated part of articles: never served by the web server, only through the gate's check.
MASTHEAD_PRIVATE_MEDIA_ROOT = Path(os.environ.get("MASTHEAD_PRIVATE_MEDIA_ROOT") or VAR_DIR / "private_media")
STORAGES = {
    # Public files under MEDIA_ROOT; gated images' files under MASTHEAD_PRIVATE_MEDIA_ROOT (masthead/delivery).
    "default": {"BACKEND": "masthead.delivery.private_media.MediaStorage"},
    # Tests render templates without running collectstatic, so they cannot use the hashed manifest.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Outgoing mail: MASTHEAD_EMAIL_PROVIDER picks the backend (README, "Sending e-mail"). Unset: SMTP when EMAIL_HOST
# is set, otherwise files in var/mail that the person running the site can open. The providers go through
# django-anymail, each with its own key variables; ANYMAIL_WEBHOOK_SECRET ("user:password") guards the webhooks
# that report bounces and complaints back (/anymail/<provider>/tracking/).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
MASTHEAD_EMAIL_PROVIDER = os.environ.get("MASTHEAD_EMAIL_PROVIDER", "smtp" if EMAIL_HOST else "file").lower()
_EMAIL_PROVIDERS = {
    # provider: (backend, {ANYMAIL setting: environment variable}, the variables that must be set)
    "smtp": ("django.core.mail.backends.smtp.EmailBackend", {}, ["EMAIL_HOST"]),
    "file": ("django.core.mail.backends.filebased.EmailBackend", {}, []),
    "console": ("django.core.mail.backends.console.EmailBackend", {}, []),
    "ses": (
        "anymail.backends.amazon_ses.EmailBackend",
        {"AMAZON_SES_CONFIGURATION_SET_NAME": "AMAZON_SES_CONFIGURATION_SET_NAME"},
        [],  # boto3 reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION itself (pip install boto3)
    ),
    "postmark": (
        "anymail.backends.postmark.EmailBackend",
        {"POSTMARK_SERVER_TOKEN": "POSTMARK_SERVER_TOKEN"},
        ["POSTMARK_SERVER_TOKEN"],
    ),
    "mailgun": (
        "anymail.backends.mailgun.EmailBackend",
        {
            "MAILGUN_API_KEY": "MAILGUN_API_KEY",
            "MAILGUN_SENDER_DOMAIN": "MAILGUN_SENDER_DOMAIN",
            "MAILGUN_API_URL": "MAILGUN_API_URL",
            "MAILGUN_WEBHOOK_SIGNING_KEY": "MAILGUN_WEBHOOK_SIGNING_KEY",
        },
        ["MAILGUN_API_KEY"],
    ),
    "sendgrid": ("anymail.backends.sendgrid.EmailBackend", {"SENDGRID_API_KEY": "SENDGRID_API_KEY"}, ["SENDGRID_API_KEY"]),
    "brevo": ("anymail.backends.brevo.EmailBackend", {"BREVO_API_KEY": "BREVO_API_KEY"}, ["BREVO_API_KEY"]),
    "postal": (
        "anymail.backends.postal.EmailBackend",
        {"POSTAL_API_URL": "POSTAL_API_URL", "POSTAL_API_KEY": "POSTAL_API_KEY", "POSTAL_WEBHOOK_KEY": "POSTAL_WEBHOOK_KEY"},
        ["POSTAL_API_URL", "POSTAL_API_KEY"],
    ),
}
if MASTHEAD_EMAIL_PROVIDER not in _EMAIL_PROVIDERS:
    raise ImproperlyConfigured(
        f"MASTHEAD_EMAIL_PROVIDER={MASTHEAD_EMAIL_PROVIDER!r}: choose one of {', '.join(_EMAIL_PROVIDERS)}"
    )
EMAIL_BACKEND, _anymail_keys, _required = _EMAIL_PROVIDERS[MASTHEAD_EMAIL_PROVIDER]
_missing = [name for name in _required if not os.environ.get(name)]
if _missing:
    raise ImproperlyConfigured(f"MASTHEAD_EMAIL_PROVIDER={MASTHEAD_EMAIL_PROVIDER} needs {', '.join(_missing)} set")
ANYMAIL = {setting: os.environ[name] for setting, name in _anymail_keys.items() if os.environ.get(name)}
if os.environ.get("ANYMAIL_WEBHOOK_SECRET"):
    ANYMAIL["WEBHOOK_SECRET"] = os.environ["ANYMAIL_WEBHOOK_SECRET"]
if MASTHEAD_EMAIL_PROVIDER == "smtp":
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
# Seconds before a silent mail server or provider counts as failed: without it a worker sending a newsletter
# waits forever (Django's SMTP backend reads EMAIL_TIMEOUT; anymail's REQUESTS_TIMEOUT is its own, 30 s).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# Locally, mail is written to files that the person running the site can open.
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"masthead <noreply@{_base.hostname}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SESSION_COOKIE_SECURE = MASTHEAD_HTTPS
CSRF_COOKIE_SECURE = MASTHEAD_HTTPS
SECURE_SSL_REDIRECT = MASTHEAD_HTTPS and env_bool("MASTHEAD_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31_536_000 if MASTHEAD_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = MASTHEAD_HTTPS
SECURE_HSTS_PRELOAD = MASTHEAD_HTTPS
if env_bool("MASTHEAD_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies whose X-Forwarded-For is believed (masthead/core/client_ip.py): addresses, CIDR ranges, or "unix"
# for one that connects over a Unix socket. Empty: every reader is the address that connected.
MASTHEAD_TRUSTED_PROXIES = env_list("MASTHEAD_TRUSTED_PROXIES", [])
for _proxy in MASTHEAD_TRUSTED_PROXIES:
    try:
        if _proxy.lower() != "unix":
            ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"MASTHEAD_TRUSTED_PROXIES: {_proxy!r} is not an IP address, a CIDR range or 'unix'"
        ) from None
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Wagtail marks its preview views SAMEORIGIN itself, so everything else can refuse framing.
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

WAGTAIL_SITE_NAME = os.environ.get("MASTHEAD_SITE_NAME", "masthead")
WAGTAILADMIN_BASE_URL = MASTHEAD_BASE_URL
WAGTAIL_I18N_ENABLED = False
# Wagtail 8's editor autosave is off: its unsaved-changes check keeps running after the form is submitted, so an
# editor who edits and publishes at once sends an autosave while the publish is being handled; when the server
# reads "latest revision" before the publish commits, the autosave lands as a draft on top of the live revision
# ("LIVE + DRAFT" after one publish, issue 12; masthead/tests/flows/test_publishing.py). Wagtail's check has no
# lock to close that window, and "Save draft" (Ctrl/Cmd+S) stays.
WAGTAIL_AUTOSAVE_INTERVAL = 0
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# Search: the database's own full-text search (SQLite FTS5, PostgreSQL), or OpenSearch/Elasticsearch when
# MASTHEAD_SEARCH_URL names a server; MASTHEAD_SEARCH_ENGINE picks Wagtail's backend module for it (its Python
# client must be installed: opensearch-py for opensearch2/3, elasticsearch for elasticsearch7/8/9). See
# masthead/search/README.md; after switching, run `manage.py update_index`.
MASTHEAD_SEARCH_URL = os.environ.get("MASTHEAD_SEARCH_URL", "")
MASTHEAD_SEARCH_ENGINE = os.environ.get("MASTHEAD_SEARCH_ENGINE", "opensearch2")
if MASTHEAD_SEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": f"wagtail.search.backends.{MASTHEAD_SEARCH_ENGINE}",
            "URLS": env_list("MASTHEAD_SEARCH_URL", []),
            "INDEX_PREFIX": os.environ.get("MASTHEAD_SEARCH_INDEX_PREFIX", "masthead_"),
            "TIMEOUT": 5,
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "txt", "csv", "odt", "docx"]

# Listing sizes.
MASTHEAD_PAGE_SIZE = 20
MASTHEAD_FEED_SIZE = 30

# --- Membership and the gate (masthead/membership) -------------------------------------------------------
# Sign-in links: how long one works, and how many may be asked for per hour per address and per IP address.
MASTHEAD_SIGN_IN_LINK_MINUTES = 15
MASTHEAD_LINK_REQUESTS_PER_ADDRESS = int(os.environ.get("MASTHEAD_LINK_REQUESTS_PER_ADDRESS", "5"))
MASTHEAD_LINK_REQUESTS_PER_IP = int(os.environ.get("MASTHEAD_LINK_REQUESTS_PER_IP", "30"))
# --- Newsletters (masthead/newsletters) -----------------------------------------------------------------
# The Subscribe form: how long its confirmation link works, and how many may be asked for per hour.
MASTHEAD_NEWSLETTER_CONFIRM_HOURS = int(os.environ.get("MASTHEAD_NEWSLETTER_CONFIRM_HOURS", "48"))
MASTHEAD_SUBSCRIBE_REQUESTS_PER_ADDRESS = int(os.environ.get("MASTHEAD_SUBSCRIBE_REQUESTS_PER_ADDRESS", "3"))
MASTHEAD_SUBSCRIBE_REQUESTS_PER_IP = int(os.environ.get("MASTHEAD_SUBSCRIBE_REQUESTS_PER_IP", "20"))
# An article is mailed only if first published within this many hours (an imported archive is not).
MASTHEAD_NEWSLETTER_SEND_WINDOW_HOURS = int(os.environ.get("MASTHEAD_NEWSLETTER_SEND_WINDOW_HOURS", "24"))
# Messages claimed and sent per batch over one connection; attempts before a message is marked failed; minutes
# after which a batch claimed by a worker that died goes back to the queue.
MASTHEAD_NEWSLETTER_BATCH_SIZE = int(os.environ.get("MASTHEAD_NEWSLETTER_BATCH_SIZE", "100"))
MASTHEAD_NEWSLETTER_MAX_ATTEMPTS = int(os.environ.get("MASTHEAD_NEWSLETTER_MAX_ATTEMPTS", "5"))
MASTHEAD_NEWSLETTER_CLAIM_MINUTES = float(os.environ.get("MASTHEAD_NEWSLETTER_CLAIM_MINUTES", "15"))
# What the mail provider allows: messages per second (0: as fast as the server takes them), counted per worker
# process, so with W workers sending set it to the provider's limit divided by W; and SMTP connections (or API
# clients) each worker keeps open at once, each sending its own batches.
MASTHEAD_NEWSLETTER_RATE = float(os.environ.get("MASTHEAD_NEWSLETTER_RATE", "0"))
# Tests send in the test's own thread: other threads cannot see the rows of a test's open transaction.
MASTHEAD_NEWSLETTER_CONNECTIONS = int(os.environ.get("MASTHEAD_NEWSLETTER_CONNECTIONS", "1" if TESTING else "4"))
# Runs (tasks) each send is split into, so that as many workers share it (each with its connections).
MASTHEAD_NEWSLETTER_TASKS = int(os.environ.get("MASTHEAD_NEWSLETTER_TASKS", "1"))
# A mail server that refuses or goes away pauses the send; it resumes after this many seconds, doubled after each
# failure in a row, at most the second figure (and a message tried when the server went away waits as long).
MASTHEAD_NEWSLETTER_BACKOFF_SECONDS = float(os.environ.get("MASTHEAD_NEWSLETTER_BACKOFF_SECONDS", "60"))
MASTHEAD_NEWSLETTER_BACKOFF_MAX_SECONDS = float(os.environ.get("MASTHEAD_NEWSLETTER_BACKOFF_MAX_SECONDS", "3600"))
# An address for mailto: unsubscribes in List-Unsubscribe, beside the https one; masthead does not read that
# mailbox, so set it only if something processes what arrives there.
MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAILTO = os.environ.get("MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAILTO", "")
# Source feeds (masthead/sources): one fetch may take this long in all, and bring at most this many bytes.
MASTHEAD_SOURCE_FEED_TIMEOUT_SECONDS = int(os.environ.get("MASTHEAD_SOURCE_FEED_TIMEOUT_SECONDS", "10"))
MASTHEAD_SOURCE_FEED_MAX_BYTES = int(os.environ.get("MASTHEAD_SOURCE_FEED_MAX_BYTES", str(5 * 1024 * 1024)))
# A daily or weekly digest whose set time passed more than this many hours ago (the scheduler was down) is not
# sent late; the next one covers its articles.
MASTHEAD_NEWSLETTER_DIGEST_LATE_HOURS = int(os.environ.get("MASTHEAD_NEWSLETTER_DIGEST_LATE_HOURS", "12"))
# Soft bounces (mailbox full, server busy) reported by the provider's webhook before an address is suppressed,
# counted since the last message the provider reports delivered to it; a hard bounce suppresses at once.
MASTHEAD_NEWSLETTER_SOFT_BOUNCE_LIMIT = int(os.environ.get("MASTHEAD_NEWSLETTER_SOFT_BOUNCE_LIMIT", "3"))
# Open and click tracking through the provider (anymail's track_opens/track_clicks). Off: every message asks the
# provider not to track. Off by default: a tracking pixel reports when and where a reader opens a letter, Apple's
# Mail Privacy Protection opens every message on arrival (so open counts say little), and tracking needs the
# readers' consent in much of the world (README, "Tracking").
MASTHEAD_NEWSLETTER_TRACKING = env_bool("MASTHEAD_NEWSLETTER_TRACKING", False)
# Seconds an article's rendered body and gate are cached, per access class of reader; 0 turns this off.
MASTHEAD_ARTICLE_CACHE_SECONDS = int(os.environ.get("MASTHEAD_ARTICLE_CACHE_SECONDS", "300"))
# Seconds a whole article page (with the first page of its discussion) is cached per kind of reader; every
# change it depends on shows at once (see masthead/delivery/page_cache.py), so this only bounds how stale the
# relative times ("5 minutes ago") get. 0 turns the page cache off.
MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS = int(os.environ.get("MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS", "60"))
# --- The edge: a cache in front of the site (masthead/delivery/edge.py, deploy/) ----------------------------
# Varnish (or several, comma-separated) that the site purges on every change, through Wagtail's frontend cache
# (HTTP PURGE for pages, BAN for lists). Empty: no cache in front, nothing purged.
MASTHEAD_VARNISH_URLS = env_list("MASTHEAD_VARNISH_URL", [])
if MASTHEAD_VARNISH_URLS:
    # Its own receivers purge a page on publish and unpublish (through a task); masthead's are in delivery.
    INSTALLED_APPS.insert(INSTALLED_APPS.index("wagtail.contrib.settings"), "wagtail.contrib.frontend_cache")
WAGTAILFRONTENDCACHE = {
    f"varnish{index}": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend", "LOCATION": url}
    for index, url in enumerate(MASTHEAD_VARNISH_URLS)
}
# Seconds the edge keeps a page shared by readers without cookies (every change purges it sooner); 0: no page is
# marked shareable, and forms get their tokens in the HTML as without an edge. On by default with a Varnish.
MASTHEAD_EDGE_SECONDS = int(os.environ.get("MASTHEAD_EDGE_SECONDS", "300" if MASTHEAD_VARNISH_URLS else "0"))
# Seconds a shared page may be served stale while the edge fetches a new one, and when the site fails.
MASTHEAD_EDGE_STALE_WHILE_REVALIDATE = int(os.environ.get("MASTHEAD_EDGE_STALE_WHILE_REVALIDATE", "30"))
MASTHEAD_EDGE_STALE_IF_ERROR = int(os.environ.get("MASTHEAD_EDGE_STALE_IF_ERROR", "86400"))

# Payments: with no keys, paid tiers show as "coming soon". MASTHEAD_STRIPE_API_BASE is for tests only.
MASTHEAD_PAYMENTS_BACKEND = "masthead.membership.payments.stripe_backend.StripeBackend"
MASTHEAD_STRIPE_SECRET_KEY = os.environ.get("MASTHEAD_STRIPE_SECRET_KEY", "")
MASTHEAD_STRIPE_WEBHOOK_SECRET = os.environ.get("MASTHEAD_STRIPE_WEBHOOK_SECRET", "")
MASTHEAD_STRIPE_API_BASE = ""

# Reader discussion (masthead.discussion). The comment policy editors change lives in the admin
# (Settings → Discussion); these are the limits a deployment sets.
MASTHEAD_DISCUSSION_EDIT_MINUTES = int(os.environ.get("MASTHEAD_DISCUSSION_EDIT_MINUTES", "15"))
MASTHEAD_DISCUSSION_PAGE_SIZE = 50  # top-level conversations per page, each with all its replies
MASTHEAD_DISCUSSION_MAX_DEPTH = 4  # replies nest this deep; deeper ones show flat with "in reply to"
MASTHEAD_DISCUSSION_MAX_LENGTH = 10_000
MASTHEAD_DISCUSSION_RATE_LIMIT_PER_MINUTE = int(os.environ.get("MASTHEAD_DISCUSSION_RATE_LIMIT_PER_MINUTE", "5"))
# Guests' votes (when guests may comment) per address and hour: a guest who drops their cookie could vote again.
MASTHEAD_DISCUSSION_GUEST_VOTES_PER_HOUR = int(os.environ.get("MASTHEAD_DISCUSSION_GUEST_VOTES_PER_HOUR", "60"))
MASTHEAD_DISCUSSION_IP_RETENTION_DAYS = 30
# IP addresses are kept only as an HMAC under this key; a separate key lets SECRET_KEY rotate without effect.
MASTHEAD_DISCUSSION_IP_HASH_KEY = os.environ.get("MASTHEAD_DISCUSSION_IP_HASH_KEY") or f"discussion-ip:{SECRET_KEY}"
