"""Tenants in the API: workspaces, members, products and the caller's own tokens. Outputs apart from inputs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from core.api.fields import ScopedPrimaryKeyRelatedField
from core.api.serializers import StrictSerializer

from ..models import ApiToken, Membership, Product, Role, Workspace

# --- Workspaces -------------------------------------------------------------------------------


class WorkspaceSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(
        choices=Role.choices, read_only=True, source="caller_role", help_text="Your role in this workspace"
    )

    class Meta:
        model = Workspace
        fields = ["id", "name", "slug", "role", "created_at", "updated_at"]
        read_only_fields = fields


class WorkspaceWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(
        max_length=60, required=False, help_text="The workspace's address; made from the name when left out. Fixed."
    )

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Give the workspace a name.")
        return value.strip()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "slug" in attrs:
            if attrs["slug"] != self.instance.slug:
                raise serializers.ValidationError({"slug": ["The address of a workspace does not change."]})
            attrs.pop("slug")
        return attrs


# --- Members ----------------------------------------------------------------------------------


class MembershipSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()
    email = serializers.EmailField(source="user.email", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "workspace", "user", "username", "name", "email", "role", "title", "created_at", "updated_at"]
        read_only_fields = fields

    def get_name(self, membership: Membership) -> str:
        return membership.user.get_full_name() or membership.user.username


class MembershipCreateSerializer(StrictSerializer):
    """Add an existing user: name exactly one of `user` (id), `username` or `email`.

    An id finds only people who already share a workspace with the caller, so ids cannot be swept
    to list everyone's names and addresses; anyone else is added by the username or e-mail the
    caller already knows.
    """

    workspace = ScopedPrimaryKeyRelatedField(model=Workspace)
    user = serializers.IntegerField(
        required=False, min_value=1, help_text="The id of someone who shares a workspace with you"
    )
    username = serializers.CharField(required=False, max_length=150)
    email = serializers.EmailField(required=False)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.CONTRIBUTOR)
    title = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text="What they do on the team, e.g. Architecture"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in ("user", "username", "email") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError({"user": ["Give exactly one of user, username or email."]})
        field = given[0]
        value = attrs.pop(field)
        people = get_user_model().objects.filter(is_active=True)
        if field == "user":
            caller = self.context["request"].user
            matches = list(people.filter(pk=value, memberships__workspace__memberships__user=caller).distinct()[:2])
        elif field == "username":
            matches = list(people.filter(username__iexact=value)[:2])
        else:
            matches = list(people.filter(email__iexact=value)[:2])
        if not matches:
            raise serializers.ValidationError({field: [f"No one with this {field if field != 'user' else 'id'}."]})
        if len(matches) > 1:
            raise serializers.ValidationError({field: ["Several people match; add them by username."]})
        attrs["user"] = matches[0]
        if Membership.objects.filter(workspace=attrs["workspace"], user=attrs["user"]).exists():
            raise serializers.ValidationError(
                {field: ["Already a member; change their role with PATCH /members/{id}/."]}
            )
        return attrs


class MembershipUpdateSerializer(StrictSerializer):
    role = serializers.ChoiceField(
        choices=Role.choices, required=False, help_text="A workspace keeps at least one admin"
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=80)


# --- Products ---------------------------------------------------------------------------------


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "workspace", "name", "key", "description", "created_at", "updated_at"]
        read_only_fields = fields


class ProductWriteSerializer(StrictSerializer):
    workspace = ScopedPrimaryKeyRelatedField(model=Workspace, required=False, help_text="Required on create; fixed.")
    name = serializers.CharField(max_length=120)
    key = serializers.CharField(
        max_length=10, required=False, help_text="Prefix of item keys, e.g. PAY. Required on create; fixed."
    )
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Give the product a name.")
        return value.strip()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            missing = {name: ["This field is required."] for name in ("workspace", "key") if name not in attrs}
            if missing:
                raise serializers.ValidationError(missing)
            return attrs
        if "workspace" in attrs:
            if attrs["workspace"].pk != self.instance.workspace_id:
                raise serializers.ValidationError({"workspace": ["A product cannot move to another workspace."]})
            attrs.pop("workspace")
        if "key" in attrs:
            if attrs["key"].strip().upper() != self.instance.key:
                raise serializers.ValidationError(
                    {"key": ["A product's key does not change: every item key (PAY-12) carries it."]}
                )
            attrs.pop("key")
        return attrs


# --- API tokens -------------------------------------------------------------------------------


class ApiTokenSerializer(serializers.ModelSerializer):
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "is_active"]
        read_only_fields = fields


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text="The token itself, shown this once: only its SHA-256 is kept. Store it now."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class ApiTokenCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=80, help_text="What uses it, e.g. 'CI release bot'")
