"""OpenAPI: every operation documents its error responses, and updates their If-Match precondition (428 where
required)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from .serializers import ErrorSerializer

COMMON_ERRORS = ("400", "401", "403", "404", "429")


class ApiSchema(AutoSchema):
    def _takes_if_match(self) -> bool:
        action = getattr(self.view, "action", None)
        return (
            self.method in ("PUT", "PATCH")
            or action in getattr(self.view, "if_match_actions", ())
            or action in getattr(self.view, "if_match_optional_actions", ())
        )

    def _requires_if_match(self) -> bool:
        """Updates of a resource with `if_match_required` (stories, PRDs, requirements) answer 428 without it."""
        if getattr(self.view, "action", None) in getattr(self.view, "if_match_optional_actions", ()):
            return False
        return self._takes_if_match() and getattr(self.view, "if_match_required", False)

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = list(COMMON_ERRORS)
        if self._takes_if_match():
            codes.append("412")
        if self._requires_if_match():
            codes.append("428")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.extend(["409", "413"])
        for code in codes:
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code, direction=direction))
        return responses

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._takes_if_match():
            required = self._requires_if_match()
            description = "The ETag you read; a stale one answers 412 and changes nothing."
            if required:
                description += " Required: without it the answer is 428 (`*` replaces whatever is there)."
            parameters.append(
                OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=required, description=description)
            )
        return parameters


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.authentication.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "tpm_<prefix>_<secret>"}
