"""A product with its default workflow, and the product's labels (made on the fly from names)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from core.db import save_or_field_error
from core.errors import ApplicationError
from workspaces import services as workspace_services
from workspaces.models import Product, Workspace

from ..models import Label, StatusCategory, WorkflowStatus

DEFAULT_WORKFLOW = (
    ("To do", StatusCategory.TODO),
    ("In progress", StatusCategory.IN_PROGRESS),
    ("In review", StatusCategory.IN_PROGRESS),
    ("Done", StatusCategory.DONE),
)


@transaction.atomic
def product_create(*, workspace: Workspace, name: str, key: str, description: str = "") -> Product:
    """A product with the default workflow (To do → In progress → In review → Done)."""
    product = workspace_services.product_create(workspace=workspace, name=name, key=key, description=description)
    WorkflowStatus.objects.bulk_create(
        WorkflowStatus(product=product, name=status_name, category=category, position=position)
        for position, (status_name, category) in enumerate(DEFAULT_WORKFLOW)
    )
    return product


def default_status(product: Product) -> WorkflowStatus:
    status = (
        WorkflowStatus.objects.filter(product=product, category=StatusCategory.TODO).order_by("position").first()
        or WorkflowStatus.objects.filter(product=product).order_by("position").first()
    )
    if status is None:
        raise ApplicationError(f"{product.name} has no workflow statuses; add one first.", field="status")
    return status


LABEL_MAX_LENGTH: int = Label._meta.get_field("name").max_length  # type: ignore[assignment]


def labels_resolve(*, product: Product, names: Iterable[str]) -> list[Label]:
    """The product's labels with these names, creating the missing ones.

    Names are trimmed; blanks and repeats are dropped. A name longer than a label holds is refused
    (ValidationError on "labels", one message per name) before anything is created.
    """
    wanted = sorted({name.strip() for name in names if name and name.strip()})
    too_long = [name for name in wanted if len(name) > LABEL_MAX_LENGTH]
    if too_long:
        raise ValidationError(
            {
                "labels": [
                    f"Keep labels to {LABEL_MAX_LENGTH} characters; “{name[:20]}…” has {len(name)}."
                    for name in too_long
                ]
            }
        )
    existing = {label.name: label for label in Label.objects.filter(product=product, name__in=wanted)}
    missing = [name for name in wanted if name not in existing]
    if missing:
        # In one statement; a label a concurrent writer adds first is kept (the conflict is skipped) and read back.
        Label.objects.bulk_create([Label(product=product, name=name) for name in missing], ignore_conflicts=True)
        existing |= {label.name: label for label in Label.objects.filter(product=product, name__in=missing)}
    return [existing[name] for name in wanted]


@transaction.atomic
def label_create(*, product: Product, actor: AbstractBaseUser | None, name: str) -> Label:
    """A new label of the product (name trimmed); a name the product already has is refused on "name"."""
    label = Label(product=product, name=name.strip())
    label.full_clean(validate_constraints=False)
    duplicate = f"{product.name} already has a label called {label.name}."
    if Label.objects.filter(product=product, name=label.name).exists():
        raise ValidationError({"name": duplicate})
    save_or_field_error(label, constraint="label_unique_name_per_product", field="name", message=duplicate)
    return label
