"""The base of every resource: workspace scoping, roles, ETags with If-Match, service-backed writes.

A resource declares its output `serializer_class` and, when clients send another shape,
an `input_serializer_class`; `perform_create` / `perform_update` call one service and
return the object. Responses always carry the output shape, with an ETag on details.

Lost updates: an update that sends `If-Match` is compared with the object's current ETag under
the row lock (412 when stale, nothing written). Resources whose content several people edit
(stories, PRDs, requirements) set `if_match_required`: there a PUT/PATCH without If-Match is
refused with 428, so a client cannot overwrite a change it never saw by forgetting the header
(`If-Match: *` says "replace whatever is there" on purpose).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Model, QuerySet
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from workspaces.models import Role

from .errors import PreconditionFailed, PreconditionRequired
from .permissions import WorkspaceRolePermission, require_role, role_for_method


def etag_for(data: Any) -> str:
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f'"{digest}"'


class ScopedViewSetMixin:
    """Rows of the caller's workspaces only (foreign ids answer 404), with role checks per method.

    A view declares `workspace_path` (attributes from an object to its workspace id),
    `write_role`, and `action_roles` for actions that need another role.
    """

    permission_classes = (WorkspaceRolePermission,)
    workspace_path: ClassVar[str] = "product.workspace_id"
    write_role: ClassVar[str] = Role.EDITOR
    action_roles: ClassVar[dict[str, str]] = {}
    input_serializer_class: ClassVar[type[BaseSerializer] | None] = None
    # Output keys computed from other rows (progress, signals): left out of the ETag, so that
    # an If-Match goes stale only when the object itself changed.
    etag_exclude: ClassVar[tuple[str, ...]] = ()
    # PUT/PATCH (and the actions named in `if_match_actions`) without If-Match answer 428.
    if_match_required: ClassVar[bool] = False
    if_match_actions: ClassVar[tuple[str, ...]] = ()
    # Actions that honour an If-Match when sent (412 if stale) but do not require it.
    if_match_optional_actions: ClassVar[tuple[str, ...]] = ()

    def etag(self, data: Any) -> str:
        if isinstance(data, dict) and self.etag_exclude:
            data = {key: value for key, value in data.items() if key not in self.etag_exclude}
        return etag_for(data)

    def check_if_match(self, instance: Model, *, required: bool | None = None) -> None:
        """Refuse a write based on a stale read: 412 when `If-Match` names none of the current ETags.

        Call inside the write's transaction: the row stays locked from the comparison to the commit, so
        nobody saves in between. Without the header: 428 when required, else the write goes ahead.
        """
        header = self.request.headers.get("If-Match", "").strip()  # type: ignore[attr-defined]
        if not header:
            if self.if_match_required if required is None else required:
                raise PreconditionRequired()
            return
        tags = {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
        if "*" in tags:
            return
        type(instance)._default_manager.select_for_update().filter(pk=instance.pk).exists()
        if self.etag(self.output(instance)) not in tags:  # type: ignore[attr-defined]
            raise PreconditionFailed()

    def required_role(self, request: Request) -> str:
        return role_for_method(
            request, write_role=self.write_role, action=getattr(self, "action", None), action_roles=self.action_roles
        )

    def require_write(self, workspace_id: int) -> None:
        """For creates, where there is no object yet: the caller's role in the target workspace."""
        require_role(self.request, workspace_id, self.required_role(self.request))  # type: ignore[attr-defined]

    def scoped_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return self.scoped_queryset()

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """Filters, search and ordering shape lists; a detail URL names its row already (and building the
        FilterSet's form for it cost about a millisecond per request)."""
        if getattr(self, "action", None) != "list":
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc]

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.input_serializer_class and getattr(self, "action", None) in ("create", "update", "partial_update"):
            return self.input_serializer_class
        return self.serializer_class  # type: ignore[attr-defined]

    def output(self, obj: Model) -> dict[str, Any]:
        """The output representation of `obj`, re-read through the scoped queryset."""
        fresh = self.get_queryset().get(pk=obj.pk)
        return self.serializer_class(fresh, context=self.get_serializer_context()).data  # type: ignore[attr-defined]

    def input(self, *args: Any, **kwargs: Any) -> BaseSerializer:
        serializer_class = self.input_serializer_class or self.serializer_class  # type: ignore[attr-defined]
        serializer = serializer_class(*args, context=self.get_serializer_context(), **kwargs)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        return serializer


class RetrieveWithETagMixin:
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.get_serializer(self.get_object()).data  # type: ignore[attr-defined]
        return Response(data, headers={"ETag": self.etag(data)})  # type: ignore[attr-defined]


class CreateMixin:
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.input(data=request.data)  # type: ignore[attr-defined]
        obj = self.perform_create(serializer)
        data = self.output(obj)  # type: ignore[attr-defined]
        return Response(data, status=status.HTTP_201_CREATED, headers={"ETag": self.etag(data)})  # type: ignore[attr-defined]

    def perform_create(self, serializer: BaseSerializer) -> Model:
        raise NotImplementedError


class UpdateWithIfMatchMixin:
    """PUT/PATCH; with If-Match, the row is locked and compared with the caller's ETag first (412 if stale);
    without it, 428 where the resource requires it (`check_if_match`)."""

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self.get_object()  # type: ignore[attr-defined]
            self.check_if_match(instance)  # type: ignore[attr-defined]
            serializer = self.input(instance, data=request.data, partial=partial)  # type: ignore[attr-defined]
            instance = self.perform_update(serializer)
        data = self.output(instance)  # type: ignore[attr-defined]
        return Response(data, headers={"ETag": self.etag(data)})  # type: ignore[attr-defined]

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def perform_update(self, serializer: BaseSerializer) -> Model:
        raise NotImplementedError


class DestroyMixin(mixins.DestroyModelMixin):
    pass


class ScopedReadOnlyViewSet(RetrieveWithETagMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(
    RetrieveWithETagMixin, CreateMixin, UpdateWithIfMatchMixin, ScopedViewSetMixin, viewsets.ModelViewSet
):
    """CRUD through services; subclasses implement perform_create / perform_update / perform_destroy."""

    def perform_destroy(self, instance: Model) -> None:
        raise NotImplementedError
