"""Configuration from the environment.

With no variable set, certflow runs on its embedded default: a SQLite file
under ``instance/`` and a Celery broker on the local filesystem, so nothing
needs a server. Production sets ``DATABASE_URL`` (PostgreSQL) and
``CELERY_BROKER_URL`` (Redis).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
_INSTANCE = Path(os.environ.get("CERTFLOW_INSTANCE", BASE_DIR / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{_INSTANCE / 'certflow.sqlite'}"
    # Heroku-style URLs name the old driver; certflow uses psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _ratelimit_storage() -> str:
    url = os.environ.get("RATELIMIT_STORAGE_URI")
    if url:
        return url
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if broker.startswith(("redis://", "rediss://")):
        return broker
    return f"certflow+sqlite:///{_INSTANCE / 'ratelimits.sqlite'}"


class Config:
    """Settings for production and ``make run``; each can be overridden by the environment."""

    # Required outside the embedded default: with none (or a known default), the embedded default keeps
    # its own random key in instance/secret_key, and any other deployment refuses to start.
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    INSTANCE_DIR = str(_INSTANCE)
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(_INSTANCE / "uploads"))
    # Where uploaded files live (certflow.storage): a folder (file:///…) or an S3-compatible object store
    # (s3://bucket/prefix) that every machine shares; unset, the folder UPLOAD_DIR. STORAGE_OPTIONS (JSON)
    # goes to the filesystem, e.g. {"endpoint_url": "https://s3.example.id"}; keys also from AWS_* variables.
    STORAGE_URL = os.environ.get("STORAGE_URL", "")
    STORAGE_OPTIONS = json.loads(os.environ.get("STORAGE_OPTIONS") or "{}")
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)))
    REPORTS_CACHE_SECONDS = int(os.environ.get("REPORTS_CACHE_SECONDS", "300"))
    # The registration and forgotten-password forms answer no sooner than this, whatever the e-mail.
    ACCOUNT_ANSWER_SECONDS = float(os.environ.get("ACCOUNT_ANSWER_SECONDS", "0.4"))
    PASSWORD_LINK_DAYS = int(os.environ.get("PASSWORD_LINK_DAYS", "7"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "10")) * 1024 * 1024

    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
    CELERY_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
    CELERY_BROKER_DIR = os.environ.get("CELERY_BROKER_DIR", str(_INSTANCE / "broker"))
    CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", False)

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")  # file | console | smtp
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(_INSTANCE / "mail"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_FROM = os.environ.get("MAIL_FROM", "certflow <noreply@certflow.local>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))  # seconds per SMTP command
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # WhatsApp beside e-mail (certflow.notifications.whatsapp): off unless both are set.
    WHATSAPP_API_URL = os.environ.get("WHATSAPP_API_URL") or None
    WHATSAPP_TOKEN = os.environ.get("WHATSAPP_TOKEN") or None
    WHATSAPP_TIMEOUT = float(os.environ.get("WHATSAPP_TIMEOUT", "10"))  # seconds per request to the provider

    # Delivery from the outbox (certflow.notifications.delivery). A delivery attempt holds a lease of
    # OUTBOX_LEASE_SECONDS; it must outlast a whole SMTP conversation (about 8 × MAIL_TIMEOUT).
    OUTBOX_DISPATCH = _bool("OUTBOX_DISPATCH", True)  # queue a task after each commit (else: the relay only)
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "10"))
    OUTBOX_RETRY_BASE_SECONDS = float(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "10"))
    OUTBOX_RETRY_MAX_SECONDS = float(os.environ.get("OUTBOX_RETRY_MAX_SECONDS", "900"))
    OUTBOX_LEASE_SECONDS = float(os.environ.get("OUTBOX_LEASE_SECONDS", "600"))
    OUTBOX_RELAY_SECONDS = float(os.environ.get("OUTBOX_RELAY_SECONDS", "30"))  # how often the relay runs
    OUTBOX_RELAY_AFTER_SECONDS = float(os.environ.get("OUTBOX_RELAY_AFTER_SECONDS", "60"))  # unconfirmed for this long
    OUTBOX_RELAY_BATCH = int(os.environ.get("OUTBOX_RELAY_BATCH", "500"))

    # Scheduled work (certflow.jobs), run by Celery beat.
    SCHEDULED_JOBS_SECONDS = float(os.environ.get("SCHEDULED_JOBS_SECONDS", "3600"))
    SCHEDULED_BATCH = int(os.environ.get("SCHEDULED_BATCH", "200"))
    REVISION_REMINDER_DAYS = int(os.environ.get("REVISION_REMINDER_DAYS", "3"))
    ASSESSMENT_DUE_DAYS = int(os.environ.get("ASSESSMENT_DUE_DAYS", "30"))  # from the assign_team transition
    SCHEDULE_REMINDER_DAYS = (3, 1)  # before an assessment event (certflow.schedules)
    SCHEDULE_REPORT_DUE_DAYS = int(os.environ.get("SCHEDULE_REPORT_DUE_DAYS", "3"))  # after the event
    CERT_REMINDER_DAYS = (90, 60, 30, 7)
    LICENCE_REMINDER_DAYS = (90, 30, 7)
    SUSPENSION_REMINDER_DAYS = int(os.environ.get("SUSPENSION_REMINDER_DAYS", "7"))
    # Personal data (DOMAIN.md rule 8): a person's records are anonymised this many years after their
    # last activity, once nothing of theirs is open (certflow.privacy.retention).
    RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "5"))

    # Rate limits count in one storage shared by every process: RATELIMIT_STORAGE_URI, else the Redis
    # broker, else a SQLite file under instance/ (the embedded default's gunicorn workers count together).
    RATELIMIT_STORAGE_URI = _ratelimit_storage()
    # Failed sign-ins (page and API alike, certflow.people.signin): of one account from one address,
    # of one account from any address, of one address for any account. A successful sign-in never counts.
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute")
    RATELIMIT_LOGIN_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_ACCOUNT", "100 per hour")
    RATELIMIT_LOGIN_ADDRESS = os.environ.get("RATELIMIT_LOGIN_ADDRESS", "100 per minute")
    # Every POST of the registration, forgotten-password, set-password and change-password forms, per address.
    RATELIMIT_FORMS = os.environ.get("RATELIMIT_FORMS", "30 per minute")
    # Reverse proxies in front of certflow whose X-Forwarded-For/-Proto/-Host are trusted (0: none).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    RATELIMIT_HEADERS_ENABLED = True

    # Operations (certflow.ops): log lines as JSON (or "text"); /metrics answers to these addresses
    # (comma-separated networks) or to "Authorization: Bearer <METRICS_TOKEN>".
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    METRICS_ALLOW = os.environ.get("METRICS_ALLOW", "127.0.0.1/32,::1/128")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None

    API_TOKEN_HOURS = int(os.environ.get("API_TOKEN_HOURS", "24"))
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")

    # What a certificate prints: the issuer's name and logo (a PNG or JPEG; none: a drawn emblem), the
    # signatory's name and title and the image of the signature (none: a signature line).
    CERT_ISSUER = os.environ.get("CERT_ISSUER_NAME", os.environ.get("CERT_ISSUER", "LSP Pekerja Sosial"))
    CERT_ISSUER_LOGO = os.environ.get("CERT_ISSUER_LOGO", "")
    CERT_SIGNATORY = os.environ.get("CERT_SIGNATORY", "Ketua LSP Pekerja Sosial")
    # The Ed25519 key (PEM, PKCS#8) that signs the Open Badges credentials and status lists; unset, the
    # embedded default makes its own in instance/credential_signing_key.pem (mode 0600).
    CREDENTIAL_SIGNING_KEY = os.environ.get("CREDENTIAL_SIGNING_KEY")
    CERT_SIGNATORY_TITLE = os.environ.get("CERT_SIGNATORY_TITLE", "Ketua")
    CERT_SIGNATURE_IMAGE = os.environ.get("CERT_SIGNATURE_IMAGE", "")
    # The issuer's key and certificate (PEM) that sign every certificate PDF (PAdES). None: the embedded
    # default makes a self-signed pair once under instance/signing/ (the key mode 0600).
    CERT_SIGNING_KEY = os.environ.get("CERT_SIGNING_KEY", "")
    CERT_SIGNING_CERT = os.environ.get("CERT_SIGNING_CERT", "")
    CERT_SIGNING_DIR = os.environ.get("CERT_SIGNING_DIR", str(_INSTANCE / "signing"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None

    # argon2id; tests lower the cost to keep the suite fast.
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", "3"))
    ARGON2_MEMORY_COST = int(os.environ.get("ARGON2_MEMORY_COST", "65536"))

    TESTING = False


class TestConfig(Config):
    """Settings the test suite starts from; ``database_url`` picks the database."""

    TESTING = True
    SECRET_KEY = "test"
    WTF_CSRF_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    MAIL_BACKEND = "memory"
    CELERY_TASK_ALWAYS_EAGER = False
    REPORTS_CACHE_SECONDS = 0  # figures are checked right after the data changes
    ACCOUNT_ANSWER_SECONDS = 0.0  # the timing tests set their own floor
