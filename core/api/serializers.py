from __future__ import annotations

from typing import Any

from rest_framework import serializers


class StrictFieldsMixin:
    """Refuse fields the resource does not have, instead of silently ignoring a typo.

    Read-only fields sent back (as in a PUT of a fetched representation) are ignored.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))  # type: ignore[attr-defined]
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    pass


class ErrorBodySerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        # "fields" is also the name of Serializer's own property, so it cannot be a class attribute.
        return {
            "status": serializers.IntegerField(),
            "code": serializers.CharField(),
            "message": serializers.CharField(),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                required=False,
                help_text="Per field, what to fix (400 only)",
            ),
        }


class ErrorSerializer(serializers.Serializer):
    """The shape of every error response."""

    error = ErrorBodySerializer()
