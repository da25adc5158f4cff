"""Helpers for the backlog API tests."""

from django.db.models import Model


def stored(obj: Model) -> dict:
    """Every column of the row as stored now (to compare before and after a refused request)."""
    return type(obj)._default_manager.filter(pk=obj.pk).values().get()
