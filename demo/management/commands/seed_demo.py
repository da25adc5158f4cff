"""`manage.py seed_demo`: the demo workspace for `make run`; the data and the rules live in demo.seed."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from demo.seed import DEMO_PASSWORD, DEMO_USERNAME, WORKSPACE_SLUG, demo_summary, seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo workspace “Acme Corp” (product Payments Platform, key PAY): a payments team with "
        "roadmaps, a backlog in two sprints, PRDs, decision records and sign-offs, all written through the "
        f"services. Idempotent by skipping: if a workspace with the slug “{WORKSPACE_SLUG}” exists, its content "
        "is left exactly as it is and nothing is added; only the demo login is made sure to work (user "
        f"“{DEMO_USERNAME}”, staff but not superuser, editor of the workspace, with the printed password). "
        "For a fresh demo, start from an empty database."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = seed_demo()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if result.created:
            self.stdout.write(f"Created {demo_summary(result.workspace)}.")
        else:
            self.stdout.write(f"{result.workspace.name} exists already (slug “{WORKSPACE_SLUG}”): left unchanged.")
        self.stdout.write(f"Demo workspace ready: {result.workspace.name}")
        self.stdout.write(f"username: {DEMO_USERNAME}")
        self.stdout.write(f"password: {DEMO_PASSWORD}")
