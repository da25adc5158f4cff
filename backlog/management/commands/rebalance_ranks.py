"""`manage.py rebalance_ranks [--product KEY ...]`: short, evenly spread ranks again, order unchanged.

Moves rebalance on their own when a rank would grow too long (backlog.services.item_move); this
command does the same ahead of time, for every product or the ones named, through the same service.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max
from django.db.models.functions import Length

from backlog.services import RANKED_MODELS, ranks_rebalance
from workspaces.models import Product


class Command(BaseCommand):
    help = (
        "Rewrite the ranks of the backlog items (epics, features, stories, tech debt) of every product, or of "
        "the products named with --product, evenly and in the same order. Ranks grow when items are dropped "
        "again and again into the same gap; moves rebalance by themselves when a rank would pass 100 "
        "characters. A product key names that product in every workspace that has one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--product",
            dest="keys",
            metavar="KEY",
            nargs="+",
            action="extend",
            help="Only these products, by key (e.g. PAY); repeat the option or list several keys.",
        )

    def handle(self, *args: Any, keys: list[str] | None = None, **options: Any) -> None:
        products = Product.objects.select_related("workspace").order_by("workspace__slug", "key")
        if keys:
            wanted = {key.strip().upper() for key in keys}
            products = products.filter(key__in=wanted)
            unknown = sorted(wanted - {product.key for product in products})
            if unknown:
                raise CommandError(
                    f"No product has the key {', '.join(unknown)}; nothing was rebalanced. "
                    "Keys are the prefixes of item keys, e.g. PAY for PAY-12."
                )
        for product in products:
            longest_before = self.longest_rank(product)
            counts = []
            for model in RANKED_MODELS:
                count = len(ranks_rebalance(product_id=product.pk, model=model))
                noun = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
                counts.append(f"{count} {noun}")
            self.stdout.write(
                f"{product.key} ({product.workspace.name}): {', '.join(counts)}; "
                f"longest rank {longest_before} → {self.longest_rank(product)} characters."
            )

    @staticmethod
    def longest_rank(product: Product) -> int:
        lengths = (
            model.objects.filter(product=product).aggregate(n=Max(Length("rank")))["n"] or 0 for model in RANKED_MODELS
        )
        return max(lengths)
