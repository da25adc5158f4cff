"""`manage.py seed_scale`: one large product for benchmarks; the rules and the bulk loading live in demo.scale."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ApplicationError
from demo.scale import USERNAME, WORKSPACE_NAME, WORKSPACE_SLUG, scale_summary, seed_scale


class Command(BaseCommand):
    help = (
        "Create a large product for benchmarks: by default 100,000 stories under 2,000 features and 200 epics, "
        "with statuses, points, assignees, labels, sprints and two roadmaps whose items link epics. Numbers and "
        "ranks are reserved in bulk and rows inserted in batches (see demo/scale.py for why and which rules hold). "
        f"Without --workspace it goes into “{WORKSPACE_NAME}” (slug {WORKSPACE_SLUG}), created with an admin "
        f"“{USERNAME}” whose password is printed once. A product with the same key in the workspace is left "
        "alone and the command stops, unless --replace is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stories", type=int, default=100_000)
        parser.add_argument("--features", type=int, default=2_000)
        parser.add_argument("--epics", type=int, default=200)
        parser.add_argument("--product-key", default="SCALE", help="Key of the new product, e.g. SCALE (2–10 capitals)")
        parser.add_argument(
            "--workspace",
            default=None,
            help=f"Slug of an existing workspace to add the product to (default: “{WORKSPACE_NAME}”, made if missing)",
        )
        parser.add_argument(
            "--replace", action="store_true", help="Delete a product with the same key first, with everything in it"
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed makes the same data")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = seed_scale(
                stories=options["stories"],
                features=options["features"],
                epics=options["epics"],
                product_key=options["product_key"],
                workspace_slug=options["workspace"],
                replace=options["replace"],
                seed=options["seed"],
                progress=not options["no_progress"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if result.replaced:
            self.stdout.write(f"Deleted the previous product {result.product.key}.")
        self.stdout.write(f"Created {scale_summary(result)}.")
        self.stdout.write(f"product id: {result.product.pk}")
        self.stdout.write(f"username: {result.user.get_username()}")
        if result.password:
            self.stdout.write(f"password: {result.password}")
        else:
            self.stdout.write("password: unchanged (the user existed already)")
