"""One shape for every API error, whatever raised it.

    {"error": {"status": 400, "code": "invalid", "message": "…", "fields": {"points": ["…"]}}}

`fields` appears for validation errors (400) only. Domain errors (ApplicationError)
answer 400, or 409 when the document changed under the caller (a stale sign-off).
The database being unavailable (a PostgreSQL restart) answers 503 with Retry-After.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError
from core.unavailable import MESSAGE as DATABASE_UNAVAILABLE_MESSAGE
from core.unavailable import RETRY_AFTER_SECONDS, is_database_unavailable

logger = logging.getLogger(__name__)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "Someone else changed this object since you read it, so your change was not saved (it would have "
        "overwritten theirs). GET it again for the current content and its ETag, reapply your change, and "
        "send it with that ETag in If-Match."
    )
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send the ETag you read in an If-Match header: changes to this object are refused without it, so that "
        "nobody overwrites someone else's change unseen. GET the object for its ETag "
        "(or send If-Match: * to replace whatever is there)."
    )
    default_code = "precondition_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object changed since this action was asked for."
    default_code = "conflict"


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = DATABASE_UNAVAILABLE_MESSAGE
    default_code = "database_unavailable"
    wait = RETRY_AFTER_SECONDS  # DRF's handler sends it as Retry-After


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def _flatten(detail: Any) -> Any:
    """DRF's ErrorDetail lists and dicts as plain strings, lists and dicts."""
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _field_messages(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Nested errors as flat paths, so `fields` is always {path: [messages]}: `sections[1].title`."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            key = str(key)
            path = f"{prefix}[{key}]" if prefix and key.isdigit() else (f"{prefix}.{key}" if prefix else key)
            for sub_path, messages in _field_messages(value, path).items():
                out.setdefault(sub_path, []).extend(messages)
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            if isinstance(item, (dict, list)):
                item_prefix = f"{prefix}[{index}]" if isinstance(item, dict) else prefix
                for sub_path, messages in _field_messages(item, item_prefix).items():
                    out.setdefault(sub_path, []).extend(messages)
            else:
                out.setdefault(prefix or "non_field_errors", []).append(str(item))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, ApplicationError):
        if exc.extra.get("stale"):
            return Conflict(exc.message)
        if exc.extra.get("forbidden"):
            return exceptions.PermissionDenied(exc.message)
        if exc.field:
            return exceptions.ValidationError({exc.field: [exc.message]})
        return exceptions.ValidationError({"non_field_errors": [exc.message]})
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
            return exceptions.ValidationError(fields)
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or "Not found.")
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if is_database_unavailable(exc):
        logger.warning("database unavailable, answered 503: %s", exc)
        return DatabaseUnavailable()
    if isinstance(exc, IntegrityError):
        # A race lost against a database rule (two creates of the same name at once): the
        # caller can retry; it is not a server fault.
        logger.info("integrity error answered as 409: %s", exc)
        return Conflict("Another change got there first; reload and try again.")
    return exc


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
    body: dict[str, Any] = {"status": response.status_code, "code": code}
    if isinstance(exc, exceptions.ValidationError):
        body["message"] = "Some fields are not valid; see fields."
        body["fields"] = _field_messages(exc.detail)
    else:
        body["message"] = _flatten(getattr(exc, "detail", str(exc)))
    response.data = {"error": body}
    return response
