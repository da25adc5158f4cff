"""The sync state of each linked item (link, pending push, last push error, open conflicts), and the
conflicts, which editors resolve."""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import Conflict as ConflictError
from core.api.viewsets import ScopedReadOnlyViewSet
from workspaces.models import Role

from ...models import Conflict, IssueLink, PushIntent
from ...services.merge import conflict_resolve
from ..serializers import ConflictSerializer, IssueLinkSerializer, ResolveSerializer
from .base import TAGS, member_workspaces

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
    return PushIntent.objects.filter(PushIntent.same_item_as_outer())


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
