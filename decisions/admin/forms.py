"""The decisions admin's change forms, and the constants its modules share."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import BaseInlineFormSet

from core.admin_versions import VersionCheckedForm, shown
from workspaces.admin_scoping import SameProductLinksForm

from .. import services
from ..models import PRD

AUDIT_FIELDS = ("created_at", "updated_at")
RELATED_ONLY = admin.RelatedOnlyFieldListFilter
REQUIREMENT_TEXT_FIELDS = ("title", "description", "priority")
OPTION_FIELDS = ("title", "description", "pros", "cons", "cost", "risk")
LINK_FIELDS = ("epics", "roadmap_items", "prds")
EDIT_NOTE = "Edited in the admin"
Formsets = list[BaseInlineFormSet]


class PRDForm(VersionCheckedForm, SameProductLinksForm):
    """A save over a newer version of the PRD (title, sections, requirements) or of its owner is refused."""

    same_product_fields = ("epics", "roadmap_items")

    def edit_version(self, instance: PRD) -> str:
        number = instance.versions.order_by("-number").values_list("number", flat=True).first()
        return f"{instance.updated_at.isoformat()}|v{number or 0}"

    def changes_since(self, fresh: PRD, loaded: str) -> tuple[Any, list[str]]:
        who, lines = super().changes_since(fresh, loaded)
        loaded_number = loaded.partition("|v")[2]
        latest = fresh.versions.select_related("created_by").order_by("-number").first()
        older = fresh.versions.filter(number=int(loaded_number)).first() if loaded_number.isdigit() else None
        if latest is None or older is None or older.pk == latest.pk:
            return who, lines
        diff = services.prd_version_diff(older, latest)
        sections = [row["after"]["title"] for row in diff["sections"]["changed"]]
        sections += [row["title"] for row in diff["sections"]["added"] + diff["sections"]["removed"]]
        requirements = [row["after"]["key"] for row in diff["requirements"]["changed"]]
        requirements += [row["key"] for row in diff["requirements"]["added"] + diff["requirements"]["removed"]]
        parts = []
        if diff["title"]:
            parts.append(f"the title to {shown(diff['title']['after'])}")
        if sections:
            parts.append(f"the sections {', '.join(shown(title) for title in sections)}")
        if requirements:
            parts.append(f"the requirements {', '.join(requirements)}")
        detail = f", changing {' and '.join(parts)}" if parts else ""
        lines = [line for line in lines if not line.startswith("Title:")]  # said with the version
        return latest.created_by or who, [*lines, f"version {latest.number}{detail}"]


class DecisionRecordForm(SameProductLinksForm):
    same_product_fields = LINK_FIELDS


class RequirementForm(VersionCheckedForm, SameProductLinksForm):
    same_product_fields = ("features", "stories")

    def links_product_id(self) -> int | None:
        prd = self.cleaned_data.get("prd") or (self.instance.prd if self.instance.prd_id else None)
        return prd.product_id if prd is not None else None
