"""Test helpers every app's tests may use."""

from django.db.models import Model, QuerySet


def miss_duplicate_checks(monkeypatch, model: type[Model]) -> None:
    """Make `.exists()` on `model`'s rows answer False, as when another request inserts the same
    name between a service's check and its INSERT: only the database's unique constraint is left."""
    exists = QuerySet.exists

    def exists_unless_model(self: QuerySet) -> bool:
        return False if self.model is model else exists(self)

    monkeypatch.setattr(QuerySet, "exists", exists_unless_model)
