"""Tenants: a workspace, who belongs to it and with which role, and its products."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from core.models import TimeStampedModel

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Role(models.TextChoices):
    """Ordered from least to most power; `at_least` compares by this order.

    Leadership (directors, heads of product and engineering) ranks just above viewer: in the UI and the
    API it has a viewer's power (read, comment, answer the sign-offs asked of it), never a contributor's.
    What sets it apart is the admin site: a leadership membership lets the person in and shows every row
    of that workspace read-only, with Approve / Reject on the sign-offs addressed to them
    (workspaces/admin_scoping.py, workspaces/admin_leadership.py).
    """

    VIEWER = "viewer", "Viewer"
    LEADERSHIP = "leadership", "Leadership"
    CONTRIBUTOR = "contributor", "Contributor"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"

    @classmethod
    def rank_of(cls, role: str) -> int:
        return list(cls.values).index(role)

    @classmethod
    def at_least(cls, role: str, minimum: str) -> bool:
        return cls.rank_of(role) >= cls.rank_of(minimum)


class WorkspaceQuerySet(models.QuerySet["Workspace"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> WorkspaceQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Workspace(TimeStampedModel):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.CONTRIBUTOR)
    # What the person does on the team (engineering, architecture, UX, …): shown on
    # sign-offs so that an approval says in which capacity it was given.
    title = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["workspace_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user_per_workspace"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    def has_role(self, minimum: str) -> bool:
        return Role.at_least(self.role, minimum)


class ProductQuerySet(models.QuerySet["Product"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ProductQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(workspace__memberships__user=user)


product_key_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,9}$", "Use 2–10 capital letters or digits, starting with a letter (for example PAY)."
)


class Product(TimeStampedModel):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(max_length=120)
    key = models.CharField(max_length=10, validators=[product_key_validator], help_text="Prefix of item keys, e.g. PAY")
    description = models.TextField(blank=True)
    # Counters behind stable, never-reused keys (PAY-12, REQ-3, ADR-2); advanced with F() under a row lock.
    last_item_number = models.PositiveIntegerField(default=0, editable=False)
    last_requirement_number = models.PositiveIntegerField(default=0, editable=False)
    last_decision_number = models.PositiveIntegerField(default=0, editable=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["workspace_id", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="product_unique_key_per_workspace"),
            models.UniqueConstraint(fields=["workspace", "name"], name="product_unique_name_per_workspace"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"


class InSubqueryOnce(models.Lookup):
    """`lhs IN (subquery)`, written for PostgreSQL as `lhs = ANY(ARRAY(subquery))`: the same rows.

    PostgreSQL pulls an IN (subquery), like a join, up into the outer query, whose planner then orders
    the joins of every table of both: with a list's select_related tables that took ~6 ms of planning
    per request, more than running the query. ARRAY(subquery) stays an init plan, run once, and the
    outer query plans as if the filter were `product_id IN (1, 2)`.
    """

    lookup_name = "in_subquery_once"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        template = "{} = ANY(ARRAY{})" if connection.vendor == "postgresql" else "{} IN {}"
        return template.format(lhs, rhs), [*lhs_params, *rhs_params]


def visible_product_ids(user: AbstractBaseUser) -> models.expressions.RawSQL:
    """The ids of the products of the user's workspaces, as a subquery.

    Written out rather than built from querysets: it is part of every scoped query, and building and
    compiling the equivalent queryset cost ~0.3 ms per request. The user id is a bound parameter.
    """
    return models.expressions.RawSQL(
        f'SELECT p."id" FROM "{Product._meta.db_table}" p INNER JOIN "{Membership._meta.db_table}" m'
        ' ON m."workspace_id" = p."workspace_id" WHERE m."user_id" = %s',
        (user.pk,),
        output_field=models.BigIntegerField(),
    )


class ProductScopedQuerySet(models.QuerySet):
    """Rows that belong to a workspace through a product; `product_path` says how to reach it."""

    product_path = "product"

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ProductScopedQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(InSubqueryOnce(models.F(self.product_path), visible_product_ids(user)))

    def in_workspace(self, workspace_id: int) -> ProductScopedQuerySet:
        return self.filter(**{f"{self.product_path}__workspace_id": workspace_id})


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is kept; the token is shown once, at creation.

    The token reads `tpm_<prefix>_<secret>`: the prefix finds the row, the hash proves the secret.
    It acts as its user, in every workspace the user belongs to, with the user's roles.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What uses it, e.g. 'CI release bot'")
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "-created_at", "-pk"]
        verbose_name = "API token"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"], condition=models.Q(revoked_at__isnull=True), name="apitoken_unique_live_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (tpm_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
