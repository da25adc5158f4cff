"""Signing secrets: made here, shown once, kept encrypted at rest (Fernet), used by the worker to sign.

Unlike API tokens (hashed), a webhook secret must be readable again: each delivery is
signed with it. It is stored as a Fernet token under a key that never sits in the
database:

- FIELD_ENCRYPTION_KEY (a setting, or the environment variable of that name) when set:
  one or more Fernet keys, comma-separated; the first encrypts, all of them decrypt
  (rotation: put the new key first, keep the old one until every secret was re-encrypted);
- otherwise a key derived from SECRET_KEY with HKDF-SHA256.

Keys derived from SECRET_KEY and SECRET_KEY_FALLBACKS always decrypt too, so that
setting FIELD_ENCRYPTION_KEY (or rotating SECRET_KEY into the fallbacks) keeps the
existing endpoints working.

Signature: `X-TPM-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. The timestamp is
signed, and every attempt (retries included) is signed when it is sent: a receiver refuses one further
than REPLAY_TOLERANCE from its clock (a captured request replayed later), and ignores an event `id` it
has already handled (our own retries and duplicates). `verify_delivery` is that check, for receivers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SECRET_PREFIX = "whsec_"
_HKDF_SALT = b"tpm-workspace/webhooks"
_HKDF_INFO = b"webhook-endpoint-secret/v1"
# Seconds a delivery's X-TPM-Timestamp may differ from the receiver's clock (documented in the API schema).
REPLAY_TOLERANCE = 300

__all__ = [
    "REPLAY_TOLERANCE",
    "InvalidToken",
    "decrypt_secret",
    "encrypt_secret",
    "new_secret",
    "sign",
    "verify",
    "verify_delivery",
]


def new_secret() -> str:
    return f"{SECRET_PREFIX}{secrets.token_urlsafe(32)}"


def derived_key(secret_key: str) -> bytes:
    """A Fernet key derived from a Django SECRET_KEY."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def _configured_keys() -> list[bytes]:
    raw = getattr(settings, "FIELD_ENCRYPTION_KEY", None) or os.environ.get("FIELD_ENCRYPTION_KEY", "")
    keys = [part.strip().encode() for part in raw.split(",") if part.strip()]
    for key in keys:
        try:
            Fernet(key)
        except ValueError as exc:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded bytes), comma-separated; make "
                'one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
            ) from exc
    return keys


def _fernet() -> MultiFernet:
    derived = [derived_key(key) for key in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", []))]
    keys = list(dict.fromkeys([*_configured_keys(), *derived]))
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    """The plain secret; raises InvalidToken when no configured key opens it."""
    return _fernet().decrypt(token.encode()).decode()


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The X-TPM-Signature value for a body sent at `timestamp` (Unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(*, secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    """What a receiver does (the /webhooks/ operations describe it in the OpenAPI schema); used by the tests."""
    return hmac.compare_digest(sign(secret=secret, timestamp=timestamp, body=body), signature)


def verify_delivery(
    *,
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: float | None = None,
    tolerance: int = REPLAY_TOLERANCE,
) -> bool:
    """A receiver's whole check of a delivery, from its X-TPM-Timestamp and X-TPM-Signature headers: the
    signature matches and the signed timestamp is within `tolerance` seconds of `now` (a replay is not)."""
    try:
        sent_at = int(timestamp or "")
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        return False
    return verify(secret=secret, timestamp=sent_at, body=body, signature=signature or "")
