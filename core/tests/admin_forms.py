"""Posting an admin change form as a person would: the values the page showed, with some changed."""

from __future__ import annotations

from typing import Any

from django.test import Client


def _encoded(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return str(value)


def change_form_data(page: Any, **changes: Any) -> dict[str, Any]:
    """The POST body of the admin change page `page` (a test response) with `changes` applied by field name."""
    data: dict[str, Any] = {}
    form = page.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = _encoded(value)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = _encoded(management[name].value())
        for inline_form in formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if isinstance(value, bool):
                    if value:
                        data[inline_form.add_prefix(name)] = "on"
                    continue
                data[inline_form.add_prefix(name)] = _encoded(value)
    data.update(changes)
    data["_save"] = "Save"
    return data


def admin_client(username: str, first_name: str) -> Client:
    """A signed-in superuser with this name (the person a stale-save message names)."""
    from workspaces.tests.factories import UserFactory

    client = Client()
    client.force_login(
        UserFactory(username=username, first_name=first_name, last_name="Keller", is_superuser=True, is_staff=True)
    )
    return client
