"""Reads for the Jira pages: a fixed number of queries whatever the number of runs or conflicts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from backlog.models import WorkflowStatus
from workspaces.models import Product, Workspace

from ..models import Conflict, IssueLink, JiraConnection, ProjectMapping, StatusMapping, SyncRun, item_kind

RESOLVED_SHOWN = 50


def connection_of(workspace: Workspace) -> JiraConnection | None:
    return JiraConnection.objects.filter(workspace=workspace).first()


def mapping_of(product: Product) -> ProjectMapping | None:
    return ProjectMapping.objects.select_related("connection").filter(product=product).first()


def mapped_products(connection: JiraConnection) -> QuerySet[ProjectMapping]:
    return connection.mappings.select_related("product").order_by("product__name", "pk")


def status_rows(mapping: ProjectMapping) -> list[StatusMapping]:
    return list(mapping.status_mappings.select_related("workflow_status").order_by("jira_category", "pk"))


def product_statuses(product: Product) -> list[WorkflowStatus]:
    return list(WorkflowStatus.objects.filter(product=product).order_by("position", "pk"))


def runs_of(product: Product) -> QuerySet[SyncRun]:
    """The product's runs: its mapping's pulls and reconciles, and the connection's own runs (push
    sweeps, dry runs, which cover every mapping of the workspace)."""
    return SyncRun.objects.filter(
        Q(mapping__product=product) | Q(mapping__isnull=True, connection__workspace_id=product.workspace_id)
    ).order_by("-started_at", "-pk")


def run_in_product(product: Product, run_id: int) -> SyncRun:
    try:
        return runs_of(product).select_related("mapping").get(pk=run_id)
    except SyncRun.DoesNotExist as exc:
        raise Http404("No such run.") from exc


def _conflicts(product: Product) -> QuerySet[Conflict]:
    return Conflict.objects.filter(link__mapping__product=product).select_related(
        "link__connection", "link__epic", "link__feature", "link__story"
    )


def open_conflicts(product: Product) -> list[Conflict]:
    return list(_conflicts(product).filter(status=Conflict.Status.OPEN).order_by("detected_at", "pk"))


def resolved_conflicts(product: Product) -> list[Conflict]:
    return list(
        _conflicts(product)
        .filter(status=Conflict.Status.RESOLVED)
        .select_related("resolved_by")
        .order_by("-resolved_at", "-pk")[:RESOLVED_SHOWN]
    )


def conflict_in_product(product: Product, conflict_id: int) -> Conflict:
    try:
        return _conflicts(product).get(pk=conflict_id)
    except Conflict.DoesNotExist as exc:
        raise Http404("No such conflict.") from exc


def open_conflict_count(product: Product) -> int:
    return Conflict.objects.filter(link__mapping__product=product, status=Conflict.Status.OPEN).count()


def link_of(item: Any) -> IssueLink | None:
    """The item's Jira link with its connection and its number of open conflicts (one query)."""
    return (
        IssueLink.objects.filter(**{f"{item_kind(item)}_id": item.pk})
        .select_related("connection")
        .annotate(open_conflicts=Count("conflicts", filter=Q(conflicts__status=Conflict.Status.OPEN)))
        .first()
    )
