"""Browser pages; see docs/ui.md."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
