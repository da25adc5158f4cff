"""The landing page's figures: per product, in a fixed number of queries whatever the portfolio."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, Sum

from activity.models import Notification
from backlog.models import StatusCategory, Story
from decisions.models import DecisionRecord
from decisions.selectors import signoffs_waiting_for
from roadmap.models import RoadmapItem
from workspaces.models import Membership, Product, Workspace


def home_overview(*, user: AbstractBaseUser) -> dict[str, Any]:
    memberships = {m.workspace_id: m.role for m in Membership.objects.filter(user=user)}
    workspaces = list(Workspace.objects.filter(pk__in=memberships).order_by("name"))
    products = list(Product.objects.filter(workspace_id__in=memberships).order_by("name"))
    product_ids = [p.pk for p in products]

    items = dict(
        RoadmapItem.objects.filter(roadmap__product_id__in=product_ids)
        .values("roadmap__product_id")
        .annotate(n=Count("pk"))
        .values_list("roadmap__product_id", "n")
    )
    done = Q(status__category=StatusCategory.DONE)
    stories = {
        row["product_id"]: row
        for row in Story.objects.filter(product_id__in=product_ids)
        .values("product_id")
        .annotate(open=Count("pk", filter=~done), points_done=Sum("points", filter=done), points_total=Sum("points"))
    }
    in_review = dict(
        DecisionRecord.objects.filter(product_id__in=product_ids, status=DecisionRecord.Status.IN_REVIEW)
        .values("product_id")
        .annotate(n=Count("pk"))
        .values_list("product_id", "n")
    )
    by_workspace: dict[int, list[Product]] = defaultdict(list)
    for product in products:
        row = stories.get(product.pk, {})
        product.roadmap_item_count = items.get(product.pk, 0)
        product.open_story_count = row.get("open", 0)
        product.points_done = row.get("points_done") or 0
        product.points_total = row.get("points_total") or 0
        product.decisions_in_review = in_review.get(product.pk, 0)
        by_workspace[product.workspace_id].append(product)
    for workspace in workspaces:
        workspace.my_role = memberships[workspace.pk]
        workspace.product_list = by_workspace[workspace.pk]
    return {
        "workspaces": workspaces,
        "signoffs": list(signoffs_waiting_for(user=user)[:20]),
        "notifications": list(
            Notification.objects.filter(recipient=user, workspace_id__in=memberships).order_by("-created_at")[:20]
        ),
    }
