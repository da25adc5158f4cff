"""`python manage.py crawl_demo`: fetch every page the demo user reaches by links; fail on any 5xx."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.crawl import crawl
from demo.seed import DEMO_USERNAME
from workspaces.models import Product


class Command(BaseCommand):
    help = "Sign in as the demo user and fetch every page reachable by links; exit 1 if any answers 5xx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=2000, help="Stop after this many pages")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model()._default_manager.filter(username=DEMO_USERNAME).first()
        if user is None:
            raise CommandError("No demo user: run `python manage.py seed_demo` first.")
        products = Product.objects.visible_to(user).order_by("pk")
        start = ["/", "/notifications/", *(f"/p/{product.pk}/" for product in products)]
        report = crawl(user=user, start=start, limit=options["limit"])
        for url, status in report.failures:
            self.stderr.write(f"{status} {url}")
        if report.failures:
            raise CommandError(f"{len(report.failures)} of {report.visited} pages failed.")
        self.stdout.write(f"{report.visited} pages, none failed.")
