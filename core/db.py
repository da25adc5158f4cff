"""Database helpers every app shares.

Unique names (a sprint's name in its product, a workspace's address, …) are checked by
the services before they write, so that the usual mistake gets a friendly message. Two
requests can still pass that check at once; the unique constraint then refuses the
second INSERT. `save_or_field_error` turns that refusal into the same field error the
check gives, instead of a server error.

`ranks_rewrite` spreads a list's ranks evenly again, for the services that rebalance ranks.
`delete_in_batches` deletes many rows (old outbox rows) in short transactions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction

from core.errors import ApplicationError
from core.ranks import initial_ranks

# PostgreSQL's detail of a unique violation: 'Key (product_id, name)=(3, Sprint 1) already exists.'
_PG_KEY_COLUMNS = re.compile(r"Key \((?P<columns>.+?)\)=")
# SQLite's message: 'UNIQUE constraint failed: backlog_sprint.product_id, backlog_sprint.name'
_SQLITE_PREFIX = "UNIQUE constraint failed: "


def unique_columns(model: type[models.Model], constraint: str) -> frozenset[str]:
    """The columns behind `constraint`: a UniqueConstraint's name in the model's Meta, or a unique field's name."""
    for candidate in model._meta.constraints:
        if isinstance(candidate, models.UniqueConstraint) and candidate.name == constraint:
            if not candidate.fields:
                raise ValueError(f"{constraint} is an expression constraint; name one over fields.")
            return frozenset(model._meta.get_field(name).column for name in candidate.fields)
    try:
        field = model._meta.get_field(constraint)
    except FieldDoesNotExist as exc:
        raise ValueError(f"{model.__name__} has no unique constraint or field called {constraint!r}.") from exc
    if not getattr(field, "unique", False) or field.primary_key:
        raise ValueError(f"{model.__name__}.{constraint} is not a unique field.")
    return frozenset({field.column})


def violated_constraint(exc: IntegrityError, *, constraint: str, columns: frozenset[str]) -> bool:
    """Whether `exc` is a unique violation of this constraint (by name on PostgreSQL, else by its columns)."""
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg)
        if diag.constraint_name == constraint:
            return True
        match = _PG_KEY_COLUMNS.match(diag.message_detail or "")
        if match is None:
            return False
        return frozenset(name.strip().strip('"') for name in match["columns"].split(",")) == columns
    text = str(exc)
    if text.startswith(_SQLITE_PREFIX):
        return frozenset(part.strip().rsplit(".", 1)[-1] for part in text[len(_SQLITE_PREFIX) :].split(",")) == columns
    return False


def save_or_field_errors(
    obj: models.Model,
    errors: Mapping[str, tuple[str, str]],
    *,
    raise_as: type[ValidationError] | type[ApplicationError] = ValidationError,
    **save_kwargs: Any,
) -> None:
    """Save `obj` in a savepoint; a violation of one of `errors` ({constraint: (field, message)}) becomes a field error.

    The error is a ValidationError({field: message}), or an ApplicationError(message, field=field)
    with `raise_as=ApplicationError` for services whose own checks raise those. Any other
    IntegrityError is raised as it is. The savepoint keeps the caller's transaction usable.
    """
    rules = [(name, unique_columns(type(obj), name), field, message) for name, (field, message) in errors.items()]
    try:
        with transaction.atomic():
            obj.save(**save_kwargs)
    except IntegrityError as exc:
        for name, columns, field, message in rules:
            if violated_constraint(exc, constraint=name, columns=columns):
                if raise_as is ApplicationError:
                    raise ApplicationError(message, field=field) from exc
                raise ValidationError({field: message}) from exc
        raise


def save_or_field_error(
    obj: models.Model,
    *,
    constraint: str,
    field: str,
    message: str,
    raise_as: type[ValidationError] | type[ApplicationError] = ValidationError,
    **save_kwargs: Any,
) -> None:
    """Save `obj`, or raise `message` on `field` when `constraint` refuses it (see save_or_field_errors)."""
    save_or_field_errors(obj, {constraint: (field, message)}, raise_as=raise_as, **save_kwargs)


def ranks_rewrite(model: type[models.Model], pks_in_order: Sequence[int], *, field: str = "rank") -> list[str]:
    """Give these rows evenly spread ranks (core.ranks.initial_ranks) in this order; returns the new ranks.

    Two UPDATE statements: first every row gets a placeholder ("~" and its id: no base-36 rank
    starts with "~"), then its new rank. PostgreSQL checks a unique index row by row, so writing
    the new ranks straight over the old ones could trip on a rank another row still holds.
    The caller holds the rows' locks in a transaction, so nobody sees the placeholders.
    """
    ranks = initial_ranks(len(pks_in_order))
    for values in ([f"~{pk}" for pk in pks_in_order], ranks):
        rows = [model(**{"pk": pk, field: value}) for pk, value in zip(pks_in_order, values, strict=True)]
        model._default_manager.bulk_update(rows, [field], batch_size=500)
    return ranks


def delete_in_batches(queryset: models.QuerySet, *, batch: int = 1000) -> int:
    """Delete the rows `queryset` selects (with what cascades from them) `batch` at a time, each batch in a
    transaction of its own, so that no lock is held long and memory stays bounded. How many of its rows went.

    Each batch starts after the last primary key of the one before, so no batch walks again over the rows
    (dead until vacuumed) that earlier batches deleted."""
    model = queryset.model
    ids = queryset.order_by("pk").values_list("pk", flat=True)
    deleted, last = 0, None
    while chunk := list((ids if last is None else ids.filter(pk__gt=last))[:batch]):
        with transaction.atomic():
            deleted += model.objects.filter(pk__in=chunk).delete()[1].get(model._meta.label, 0)
        last = chunk[-1]
    return deleted
