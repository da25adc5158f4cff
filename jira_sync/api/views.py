"""/api/v1/jira/: the workspace's Jira connection, project mappings, sync runs, conflicts, and the sync
state of each linked item.

Roles: connections are for workspace admins only (reads too: who the integration signs in as, and the
webhook URL). Mappings are read by every member and written by admins. Runs, conflicts and links are
read by every member; editors resolve conflicts and start a sync or a dry run. Outsiders get 404.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from drf_spectacular.utils import OpenApiParameter, extend_schema
from kombu.exceptions import OperationalError
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import Conflict as ConflictError
from core.api.permissions import workspace_roles
from core.api.serializers import ErrorSerializer
from core.api.viewsets import (
    CreateMixin,
    RetrieveWithETagMixin,
    ScopedReadOnlyViewSet,
    ScopedViewSetMixin,
    UpdateWithIfMatchMixin,
    etag_for,
)
from core.errors import ApplicationError
from workspaces.models import Membership, Role

from .. import tasks
from ..jira import JiraError
from ..models import Conflict, IssueLink, JiraConnection, ProjectMapping, PushIntent, SyncItemError, SyncRun
from ..services import connections as connection_services
from ..services import mappings as mapping_services
from ..services import runs as run_services
from ..services.merge import conflict_resolve
from ..services.pull import lease
from .serializers import (
    ConflictSerializer,
    ConnectionTestRequestSerializer,
    ConnectionTestSerializer,
    IssueLinkSerializer,
    JiraConnectionSerializer,
    JiraConnectionWithSecretSerializer,
    JiraConnectionWriteSerializer,
    ProjectMappingSerializer,
    ProjectMappingWriteSerializer,
    ResolveSerializer,
    RunQueuedSerializer,
    SyncItemErrorSerializer,
    SyncRequestSerializer,
    SyncRunDetailSerializer,
    SyncRunSerializer,
)
from .writes import mapping_create_checked, mapping_update_checked

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


class _CreateRetrieveUpdateViewSet(
    RetrieveWithETagMixin,
    CreateMixin,
    UpdateWithIfMatchMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """List, create, retrieve, update (a connection is disabled, not dropped; a mapping adds DELETE)."""


# --- connections ------------------------------------------------------------------------------------


class ConnectionFilter(django_filters.FilterSet):
    workspace = django_filters.NumberFilter(field_name="workspace_id", help_text="Workspace id")
    is_enabled = django_filters.BooleanFilter()

    class Meta:
        model = JiraConnection
        fields = []


@extend_schema(tags=TAGS)
class JiraConnectionViewSet(_CreateRetrieveUpdateViewSet):
    """The Jira connection of a workspace (one per workspace): workspace admins only.

    The API token (Cloud) or personal access token (Data Center) is write-only and never returned; the
    webhook secret is shown once, on create and on `rotate-secret`.
    """

    serializer_class = JiraConnectionSerializer
    input_serializer_class = JiraConnectionWriteSerializer
    filterset_class = ConnectionFilter
    search_fields = ["site_url", "email"]
    ordering_fields = ["created_at", "updated_at", "site_url"]
    ordering = ["created_at"]
    workspace_path = "workspace_id"
    write_role = Role.ADMIN

    def required_role(self, request: Request) -> str:
        return Role.ADMIN

    def scoped_queryset(self) -> QuerySet[JiraConnection]:
        user = self.request.user
        if getattr(self, "action", None) == "list":
            return JiraConnection.objects.filter(workspace_id__in=admin_workspaces(user))
        return JiraConnection.objects.filter(workspace_id__in=member_workspaces(user))

    @extend_schema(description="The connections of the workspaces you administer.")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not any(Role.at_least(role, Role.ADMIN) for role in workspace_roles(request).values()):
            raise PermissionDenied("Jira settings are managed by workspace admins.")
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=JiraConnectionWriteSerializer,
        responses={201: JiraConnectionWithSecretSerializer},
        description="Connect a workspace to Jira; the answer shows the webhook secret, once.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = dict(self.input(data=request.data).validated_data)
        workspace = data.pop("workspace")
        self.require_write(workspace.pk)
        connection, secret = connection_services.connection_create(workspace=workspace, actor=request.user, **data)
        body = self.output(connection)
        return Response(
            {**body, "webhook_secret": secret}, status=status.HTTP_201_CREATED, headers={"ETag": etag_for(body)}
        )

    @extend_schema(request=JiraConnectionWriteSerializer, responses={200: JiraConnectionSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=JiraConnectionWriteSerializer, responses={200: JiraConnectionSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_update(self, serializer: JiraConnectionWriteSerializer) -> JiraConnection:
        changes = dict(serializer.validated_data)
        token = changes.pop("token", None)
        return connection_services.connection_update(
            connection=serializer.instance, actor=self.request.user, token=token, **changes
        )

    @extend_schema(request=ConnectionTestRequestSerializer, responses={200: ConnectionTestSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Ask the site what is wrong, if anything (bad URL, bad credentials, no permission), in words.
        The answer is also kept on the connection (`last_test_*`)."""
        connection = self.get_object()
        serializer = ConnectionTestRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = connection_services.connection_test(
            connection=connection, project_key=serializer.validated_data.get("project_key") or None
        )
        body = {
            "ok": report.ok,
            "message": connection.last_test_message,
            "problems": report.problems,
            "deployment": report.deployment,
            "server_title": report.server_title,
            "version": report.version,
            "account": report.account,
            "project_name": report.project_name,
            "tested_at": connection.last_test_at,
        }
        return Response(ConnectionTestSerializer(body).data)

    @extend_schema(request=None, responses={200: JiraConnectionWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        """Replace the webhook secret; the answer shows the new one, once. Update it in Jira's webhook."""
        connection = self.get_object()
        secret = connection_services.connection_rotate_webhook_secret(connection=connection, actor=request.user)
        body = self.output(connection)
        return Response({**body, "webhook_secret": secret}, headers={"ETag": etag_for(body)})


# --- mappings ---------------------------------------------------------------------------------------


class MappingFilter(django_filters.FilterSet):
    connection = django_filters.NumberFilter(field_name="connection_id", help_text="Connection id")
    product = django_filters.NumberFilter(field_name="product_id", help_text="Product id")
    jira_project_key = django_filters.CharFilter(lookup_expr="iexact", help_text="Jira project key")

    class Meta:
        model = ProjectMapping
        fields = []


def _queue(run: SyncRun, send: Any) -> None:
    try:
        send()
    except OperationalError as exc:
        run_services.run_finish(run, failed=True, message=f"The task queue was unreachable: {exc}")
        raise QueueUnavailable() from exc


@extend_schema(tags=TAGS)
class ProjectMappingViewSet(mixins.DestroyModelMixin, _CreateRetrieveUpdateViewSet):
    """Product ↔ Jira project: which issue types carry our epics, features and stories, the story-points
    field, the direction of every field, and Jira status ↔ ours. Members read; admins write (and
    disconnect with DELETE); editors start a sync or a dry run."""

    serializer_class = ProjectMappingSerializer
    input_serializer_class = ProjectMappingWriteSerializer
    filterset_class = MappingFilter
    search_fields = ["jira_project_key", "product__name", "product__key"]
    ordering_fields = ["created_at", "updated_at", "jira_project_key", "watermark"]
    ordering = ["created_at"]
    workspace_path = "product.workspace_id"
    write_role = Role.ADMIN
    action_roles = {"sync": Role.EDITOR, "dry_run": Role.EDITOR}

    def scoped_queryset(self) -> QuerySet[ProjectMapping]:
        return (
            ProjectMapping.objects.filter(product__workspace_id__in=member_workspaces(self.request.user))
            .select_related("product", "connection")
            .prefetch_related("status_mappings")
        )

    @extend_schema(
        request=ProjectMappingWriteSerializer,
        responses={201: ProjectMappingSerializer, 502: ErrorSerializer},
        description="Map a product to a Jira project. Issue types, the story-points field and statuses default "
        "to what the project offers (by name, hierarchy level and status category); what you send overrides them. "
        "502 when Jira cannot be asked, with Jira's words.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(
        request=ProjectMappingWriteSerializer, responses={200: ProjectMappingSerializer, 502: ErrorSerializer}
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(
        request=ProjectMappingWriteSerializer, responses={200: ProjectMappingSerializer, 502: ErrorSerializer}
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer: ProjectMappingWriteSerializer) -> ProjectMapping:
        data = dict(serializer.validated_data)
        product = data.pop("product")
        self.require_write(product.workspace_id)
        connection = JiraConnection.objects.filter(workspace_id=product.workspace_id).first()
        if connection is None:
            raise ValidationError({"product": ["Connect this product's workspace to Jira first."]})
        try:
            return mapping_create_checked(connection=connection, product=product, actor=self.request.user, data=data)
        except JiraError as exc:
            raise JiraUnavailable(str(exc)) from exc

    def perform_update(self, serializer: ProjectMappingWriteSerializer) -> ProjectMapping:
        try:
            return mapping_update_checked(
                mapping=serializer.instance,
                actor=self.request.user,
                data=dict(serializer.validated_data),
                partial=serializer.partial,
            )
        except JiraError as exc:
            raise JiraUnavailable(str(exc)) from exc

    @extend_schema(
        responses={204: None, 409: ErrorSerializer},
        description="Disconnect the product from its Jira project: syncing stops, the mapping and its status map "
        "are removed. Our epics, features and stories are kept as they are; their links to Jira issues are kept "
        "archived (mapping the same project again reconnects them, without duplicates); pending pushes are "
        "dropped and open conflicts closed. 409 while a sync of this mapping is running.",
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: ProjectMapping) -> None:
        try:
            mapping_services.mapping_delete(mapping=instance, actor=self.request.user)
        except ApplicationError as exc:
            if exc.extra.get("running"):
                raise ConflictError(exc.message) from exc
            raise

    def _queued(self, run: SyncRun) -> Response:
        return Response({"run": run.pk, "status": run.status, "kind": run.kind}, status=status.HTTP_202_ACCEPTED)

    def _startable(self) -> ProjectMapping:
        mapping = self.get_object()
        if not mapping.connection.is_enabled:
            raise ValidationError({"non_field_errors": ["The Jira connection is disabled: enable it first."]})
        return mapping

    @extend_schema(request=SyncRequestSerializer, responses={202: RunQueuedSerializer, 503: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        """Queue a pull of this mapping now (the first one imports the whole project; `full`: a reconcile
        that also archives what left the project). Answers 202 with the run to follow; 409 when a sync of
        this mapping is running already."""
        mapping = self._startable()
        serializer = SyncRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        full = serializer.validated_data["full"]
        with transaction.atomic():
            ProjectMapping.objects.select_for_update().filter(pk=mapping.pk).exists()
            running = SyncRun.objects.filter(
                mapping=mapping,
                status=SyncRun.Status.RUNNING,
                kind__in=[SyncRun.Kind.PULL, SyncRun.Kind.FULL, SyncRun.Kind.IMPORT],
            ).first()
            lease_until = ProjectMapping.objects.filter(pk=mapping.pk).values_list("lease_until", flat=True).get()
            if running is not None and run_services.run_abandoned(running, lease_until=lease_until, lease=lease()):
                run_services.run_finish(
                    running, failed=True, message="This run stopped without finishing (its worker was lost)."
                )
                running = None
            if running is not None:
                raise ConflictError(f"Run {running.pk} of this mapping is running already; follow it instead.")
            kind = SyncRun.Kind.FULL if full else SyncRun.Kind.PULL
            run = run_services.run_start(connection=mapping.connection, mapping=mapping, kind=kind)
        _queue(
            run,
            lambda: tasks.pull_mapping.apply_async(
                kwargs={"mapping_id": mapping.pk, "full": full, "run_id": run.pk}, retry=False
            ),
        )
        return self._queued(run)

    @extend_schema(request=None, responses={202: RunQueuedSerializer, 503: ErrorSerializer})
    @action(detail=True, methods=["post"], url_path="dry-run")
    def dry_run(self, request: Request, pk: str | None = None) -> Response:
        """Queue a dry run of this mapping: what a sync would create, update, archive and push on each side,
        writing nothing. Answers 202 with the run; its `plan` holds the answer when it has succeeded."""
        mapping = self._startable()
        run = run_services.run_start(connection=mapping.connection, mapping=mapping, kind=SyncRun.Kind.DRY_RUN)
        _queue(run, lambda: tasks.dry_run_mapping.apply_async(args=(mapping.pk, run.pk), retry=False))
        return self._queued(run)


# --- runs -------------------------------------------------------------------------------------------


class RunFilter(django_filters.FilterSet):
    connection = django_filters.NumberFilter(field_name="connection_id", help_text="Connection id")
    mapping = django_filters.NumberFilter(field_name="mapping_id", help_text="Mapping id")
    product = django_filters.NumberFilter(field_name="mapping__product_id", help_text="Product id (of the mapping)")
    kind = django_filters.ChoiceFilter(choices=SyncRun.Kind.choices)
    status = django_filters.ChoiceFilter(choices=SyncRun.Status.choices)

    class Meta:
        model = SyncRun
        fields = []


@extend_schema(tags=TAGS)
class SyncRunViewSet(ScopedReadOnlyViewSet):
    """Every pull, reconcile, push sweep, webhook batch and dry run, with its counts; newest first.
    The detail adds the dry run's plan and the first per-item errors, in Jira's words."""

    serializer_class = SyncRunSerializer
    filterset_class = RunFilter
    search_fields = ["message"]
    ordering_fields = ["started_at", "finished_at", "errors"]
    ordering = ["-started_at"]
    workspace_path = "connection.workspace_id"

    def get_serializer_class(self) -> type:
        return SyncRunDetailSerializer if getattr(self, "action", None) == "retrieve" else SyncRunSerializer

    def scoped_queryset(self) -> QuerySet[SyncRun]:
        runs = SyncRun.objects.filter(connection__workspace_id__in=member_workspaces(self.request.user))
        if getattr(self, "action", None) == "list":
            return runs.defer("plan")
        return runs

    @extend_schema(request=None, responses={200: SyncItemErrorSerializer(many=True)}, parameters=PAGE_PARAMETERS)
    @action(detail=True, methods=["get"], filter_backends=[])
    def errors(self, request: Request, pk: str | None = None) -> Response:
        """Every per-item error of the run, in the order they happened."""
        run = self.get_object()
        page = self.paginate_queryset(SyncItemError.objects.filter(run=run).order_by("at", "pk"))
        return self.get_paginated_response(SyncItemErrorSerializer(page, many=True).data)


# --- items: links and conflicts -----------------------------------------------------------------------


ITEM_RELATIONS = ("epic__product", "feature__product", "story__product")


class ItemFilterMixin(django_filters.FilterSet):
    story = django_filters.NumberFilter(method="filter_item", help_text="Our story id")
    epic = django_filters.NumberFilter(method="filter_item", help_text="Our epic id")
    feature = django_filters.NumberFilter(method="filter_item", help_text="Our feature id")
    item_prefix = ""

    def filter_item(self, queryset, name, value):  # noqa: ANN001, ANN201 - django-filter's signature
        return queryset.filter(**{f"{self.item_prefix}{name}_id": value})


class LinkFilter(ItemFilterMixin):
    connection = django_filters.NumberFilter(field_name="connection_id", help_text="Connection id")
    mapping = django_filters.NumberFilter(field_name="mapping_id", help_text="Mapping id")
    product = django_filters.NumberFilter(field_name="mapping__product_id", help_text="Product id")
    jira_key = django_filters.CharFilter(lookup_expr="iexact", help_text="Jira issue key (as it is now)")
    archived = django_filters.BooleanFilter(field_name="archived_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = IssueLink
        fields = []


def _intents_of_linked_item() -> QuerySet[PushIntent]:
    return PushIntent.objects.filter(
        Q(epic_id=OuterRef("epic_id")) | Q(feature_id=OuterRef("feature_id")) | Q(story_id=OuterRef("story_id"))
    )


@extend_schema(
    tags=TAGS,
    parameters=[
        OpenApiParameter(
            "archived", bool, description="true: only links archived (issue deleted or moved out); false: live ones"
        )
    ],
)
class IssueLinkViewSet(ScopedReadOnlyViewSet):
    """The read-only Jira sync state of our items: which issue each epic, feature or story is linked to,
    when it last synced, and whether a push waits, failed, or a conflict needs a person.
    `GET /api/v1/jira/links/?story=<id>` answers for one story."""

    serializer_class = IssueLinkSerializer
    filterset_class = LinkFilter
    search_fields = ["jira_key"]
    ordering_fields = ["synced_at", "jira_updated", "jira_key"]
    ordering = ["jira_key"]
    workspace_path = "connection.workspace_id"

    def scoped_queryset(self) -> QuerySet[IssueLink]:
        open_conflicts = (
            Conflict.objects.filter(link=OuterRef("pk"), status=Conflict.Status.OPEN)
            .order_by()
            .values("link")
            .annotate(n=Count("pk"))
            .values("n")
        )
        intents = _intents_of_linked_item()
        return (
            IssueLink.objects.filter(connection__workspace_id__in=member_workspaces(self.request.user))
            .select_related("connection", *ITEM_RELATIONS)
            .annotate(
                open_conflicts=Coalesce(Subquery(open_conflicts), Value(0)),
                pending_push=Exists(intents.filter(done_at__isnull=True)),
                last_push_error=Coalesce(
                    Subquery(intents.order_by("-created_at", "-pk").values("last_error")[:1]),
                    Value(""),
                    output_field=TextField(),
                ),
            )
        )


class ConflictFilter(ItemFilterMixin):
    item_prefix = "link__"
    status = django_filters.ChoiceFilter(choices=Conflict.Status.choices)
    field = django_filters.CharFilter(help_text="summary, description, points, priority, labels, …")
    connection = django_filters.NumberFilter(field_name="link__connection_id", help_text="Connection id")
    mapping = django_filters.NumberFilter(field_name="link__mapping_id", help_text="Mapping id")
    product = django_filters.NumberFilter(field_name="link__mapping__product_id", help_text="Product id")

    class Meta:
        model = Conflict
        fields = []


@extend_schema(tags=TAGS)
class ConflictViewSet(ScopedReadOnlyViewSet):
    """Fields both sides changed since the last sync (the conflicts inbox, `?status=open`), newest first.
    Members read; editors pick a side with `resolve`."""

    serializer_class = ConflictSerializer
    filterset_class = ConflictFilter
    search_fields = ["link__jira_key", "field"]
    ordering_fields = ["detected_at", "resolved_at", "field"]
    ordering = ["-detected_at"]
    workspace_path = "link.connection.workspace_id"
    action_roles = {"resolve": Role.EDITOR}

    def scoped_queryset(self) -> QuerySet[Conflict]:
        return Conflict.objects.filter(
            link__connection__workspace_id__in=member_workspaces(self.request.user)
        ).select_related("link__connection", "resolved_by", *(f"link__{name}" for name in ITEM_RELATIONS))

    @extend_schema(request=ResolveSerializer, responses={200: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """Pick a side: `jira` keeps Jira's value here, `workspace` pushes ours to Jira (the push is queued).
        409 when the conflict was resolved already."""
        conflict = self.get_object()
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            current = Conflict.objects.select_for_update().get(pk=conflict.pk)
            if current.status != Conflict.Status.OPEN:
                raise ConflictError("This conflict was resolved already.")
            conflict_resolve(conflict_id=conflict.pk, side=serializer.validated_data["side"], actor=request.user)
        data = self.output(conflict)
        return Response(data, headers={"ETag": self.etag(data)})
