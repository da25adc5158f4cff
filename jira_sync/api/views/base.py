"""What the Jira API's viewsets share: the schema tag, errors in words, the caller's workspaces."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, mixins, status, viewsets

from core.api.viewsets import CreateMixin, RetrieveWithETagMixin, ScopedViewSetMixin, UpdateWithIfMatchMixin
from workspaces.models import Membership, Role

TAGS = ["jira"]
PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="A page number within the paginated result set."),
    OpenApiParameter("page_size", int, description="Number of results to return per page."),
]


class JiraUnavailable(exceptions.APIException):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = "Jira could not be asked."
    default_code = "jira_error"


class QueueUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The task queue is unreachable; the run is recorded as failed. Try again in a moment."
    default_code = "queue_unavailable"


def member_workspaces(user: Any) -> QuerySet:
    if not user.is_authenticated:
        return Membership.objects.none().values("workspace_id")
    return Membership.objects.filter(user=user).values("workspace_id")


def admin_workspaces(user: Any) -> QuerySet:
    if not user.is_authenticated:
        return Membership.objects.none().values("workspace_id")
    return Membership.objects.filter(user=user, role=Role.ADMIN).values("workspace_id")


class CreateRetrieveUpdateViewSet(
    RetrieveWithETagMixin,
    CreateMixin,
    UpdateWithIfMatchMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """List, create, retrieve, update (a connection is disabled, not dropped; a mapping adds DELETE)."""
