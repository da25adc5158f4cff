"""Saves that go through the services: the created row adopted by the form's object, inline formsets saved
by a service, and a service's refusal shown in words."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.forms import BaseInlineFormSet, ModelForm

from core.errors import ApplicationError


def adopt(obj: models.Model, created: models.Model) -> None:
    """Make the admin's unsaved `obj` stand for the row a service created, so save_related and the log use it."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(created, field.attname))
    obj._state.adding = False
    obj._state.db = created._state.db


def refusal_message(exc: ApplicationError | ValidationError) -> str:
    """What a service said when it refused, for an admin error message."""
    return exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)


def formset_save_via(
    formset: BaseInlineFormSet,
    *,
    create: Callable[[ModelForm], models.Model],
    update: Callable[[ModelForm], models.Model] | None = None,
    delete: Callable[[models.Model], Any] | None = None,
) -> None:
    """Save an inline formset one row at a time through services (None: a plain save or delete).

    Fills new_objects / changed_objects / deleted_objects as formset.save() would, for the admin's change log.
    """
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    deleted_forms = list(formset.deleted_forms)
    for form in deleted_forms:
        if form.instance.pk is None:
            continue
        if delete is None:
            form.instance.delete()
        else:
            delete(form.instance)
        formset.deleted_objects.append(form.instance)
    for form in formset.forms:
        if form in deleted_forms or not form.has_changed():
            continue
        if form.instance.pk is None:
            formset.new_objects.append(create(form))
        else:
            obj = form.save() if update is None else update(form)
            formset.changed_objects.append((obj, form.changed_data))


def changed_values(form: ModelForm, names: Collection[str]) -> dict[str, Any]:
    """The cleaned values of the fields among `names` that the form changed."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in names}
