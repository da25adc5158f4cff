"""Relations in request bodies resolve only within the caller's workspaces: a foreign id is 'does not exist'."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from rest_framework import serializers


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key looked up through `model.objects.visible_to(request.user)`."""

    def __init__(self, *, model: Any, **kwargs: Any) -> None:
        self.model = model
        kwargs.setdefault("queryset", model.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        if request is None:
            return self.model.objects.none()
        return self.model.objects.visible_to(request.user)


class MemberField(serializers.PrimaryKeyRelatedField):
    """A user id among the people who share a workspace with the caller."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", get_user_model().objects.all())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        users = get_user_model().objects
        if request is None or not request.user.is_authenticated:
            return users.none()
        return users.filter(memberships__workspace__memberships__user=request.user).distinct()


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return user.get_full_name() or user.username
