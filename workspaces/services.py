"""Writes on tenants: creating workspaces and products, managing members."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from core.db import save_or_field_error, save_or_field_errors
from core.errors import ApplicationError

from .models import ApiToken, Membership, Product, Role, Workspace


@transaction.atomic
def workspace_create(*, name: str, creator: AbstractBaseUser, slug: str = "") -> Workspace:
    slug = slug or slugify(name)[:60]
    if not slug:
        raise ApplicationError("Give the workspace a name with at least one letter or digit.", field="name")
    duplicate = f"A workspace with the address '{slug}' already exists."
    if Workspace.objects.filter(slug=slug).exists():
        raise ApplicationError(duplicate, field="slug")
    workspace = Workspace(name=name, slug=slug)
    save_or_field_error(workspace, constraint="slug", field="slug", message=duplicate, raise_as=ApplicationError)
    Membership.objects.create(workspace=workspace, user=creator, role=Role.ADMIN)
    return workspace


WORKSPACE_NAME_MAX_LENGTH: int = Workspace._meta.get_field("name").max_length  # type: ignore[assignment]


@transaction.atomic
def workspace_rename(*, workspace: Workspace, actor: AbstractBaseUser, name: str) -> Workspace:
    """A new display name. The address (slug) stays, so that links and integrations keep working.

    Roles are the door's business (admins rename); `actor` is who asked.
    """
    name = name.strip()
    if not name:
        raise ApplicationError("Give the workspace a name.", field="name")
    if len(name) > WORKSPACE_NAME_MAX_LENGTH:
        raise ApplicationError(f"Keep the name to {WORKSPACE_NAME_MAX_LENGTH} characters.", field="name")
    if name != workspace.name:
        workspace.name = name
        workspace.save(update_fields=["name", "updated_at"])
    return workspace


@transaction.atomic
def member_add(
    *, workspace: Workspace, user: AbstractBaseUser, role: str = Role.CONTRIBUTOR, title: str = ""
) -> Membership:
    _check_role(role)
    membership, created = Membership.objects.get_or_create(
        workspace=workspace, user=user, defaults={"role": role, "title": title}
    )
    if created:
        return membership
    # Adding someone who is already a member changes their role under the same rule as member_set_role.
    if membership.role != role:
        membership = member_set_role(membership=membership, role=role)
    if membership.title != title:
        membership.title = title
        membership.save(update_fields=["title", "updated_at"])
    return membership


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ApplicationError(f"Unknown role '{role}'; use one of {', '.join(Role.values)}.", field="role")


def _lock_with_admins(membership: Membership) -> tuple[Membership | None, list[Membership]]:
    """This membership (None when it is gone) and every admin row of its workspace, all locked.

    One statement, in primary-key order: two admins demoting or removing each other at once then
    queue up, and the second sees that only one admin is left. (A COUNT with select_for_update()
    locks nothing: Django drops FOR UPDATE from aggregates.) Call inside a transaction.
    """
    locked_rows = list(
        Membership.objects.select_for_update()
        .filter(Q(pk=membership.pk) | Q(workspace_id=membership.workspace_id, role=Role.ADMIN))
        .order_by("pk")
    )
    locked = next((row for row in locked_rows if row.pk == membership.pk), None)
    admins = [row for row in locked_rows if row.role == Role.ADMIN]
    return locked, admins


@transaction.atomic
def member_set_role(*, membership: Membership, role: str) -> Membership:
    _check_role(role)
    locked, admins = _lock_with_admins(membership)
    if locked is None:
        raise ApplicationError("This person is no longer a member of the workspace.", field="role")
    if locked.role == Role.ADMIN and role != Role.ADMIN and len(admins) <= 1:
        raise ApplicationError("A workspace keeps at least one admin; make someone else admin first.", field="role")
    locked.role = role
    locked.save(update_fields=["role", "updated_at"])
    return locked


MEMBER_TITLE_MAX_LENGTH: int = Membership._meta.get_field("title").max_length  # type: ignore[assignment]


@transaction.atomic
def member_update(
    *, membership: Membership, actor: AbstractBaseUser, role: str | None = None, title: str | None = None
) -> Membership:
    """Change a member's role (under member_set_role's rule: a workspace keeps an admin) and/or title.

    Roles are the door's business (admins manage members); `actor` is who asked.
    """
    if title is not None:
        title = title.strip()
        if len(title) > MEMBER_TITLE_MAX_LENGTH:
            raise ApplicationError(f"Keep the title to {MEMBER_TITLE_MAX_LENGTH} characters.", field="title")
    if role is not None and role != membership.role:
        membership = member_set_role(membership=membership, role=role)
    else:
        locked = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if locked is None:
            raise ApplicationError("This person is no longer a member of the workspace.", field="title")
        membership = locked
    if title is not None and title != membership.title:
        membership.title = title
        membership.save(update_fields=["title", "updated_at"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, actor: AbstractBaseUser) -> bool:
    """Take someone out of a workspace; False when they had left already (nothing to do).

    Allowed to an admin of the workspace, a superuser, or the member themself (leaving). The last
    admin cannot be removed: the rows are locked as in member_set_role, so two admins removing each
    other at once leave one of them.
    """
    locked, admins = _lock_with_admins(membership)
    if locked is None:
        return False
    actor_is_admin = any(row.user_id == actor.pk for row in admins)
    if not (actor_is_admin or getattr(actor, "is_superuser", False) or locked.user_id == actor.pk):
        raise ApplicationError("Only an admin of the workspace can remove its members.", field="user")
    if locked.role == Role.ADMIN and len(admins) <= 1:
        raise ApplicationError(
            "A workspace keeps at least one admin; make someone else admin before removing this one.", field="role"
        )
    locked.delete()
    return True


@transaction.atomic
def product_create(*, workspace: Workspace, name: str, key: str, description: str = "") -> Product:
    """A bare product; backlog.services.product_create also gives it its workflow."""
    key = key.strip().upper()
    product = Product(workspace=workspace, name=name.strip(), key=key, description=description)
    product.full_clean(validate_constraints=False)
    key_taken = f"Another product in this workspace already uses the key {key}."
    name_taken = f"Another product in this workspace is already called {product.name}."
    if Product.objects.filter(workspace=workspace, key=key).exists():
        raise ApplicationError(key_taken, field="key")
    if Product.objects.filter(workspace=workspace, name=product.name).exists():
        raise ApplicationError(name_taken, field="name")
    save_or_field_errors(
        product,
        {
            "product_unique_key_per_workspace": ("key", key_taken),
            "product_unique_name_per_workspace": ("name", name_taken),
        },
        raise_as=ApplicationError,
    )
    return product


@transaction.atomic
def product_update(
    *, product: Product, actor: AbstractBaseUser, name: str | None = None, description: str | None = None
) -> Product:
    """Rename or re-describe a product. Its key stays: it prefixes every item key (PAY-12) already handed out.

    Roles are the door's business (editors edit products); `actor` is who asked.
    """
    changed: list[str] = []
    if name is not None and name.strip() != product.name:
        product.name = name.strip()
        changed.append("name")
    if description is not None and description != product.description:
        product.description = description
        changed.append("description")
    if not changed:
        return product
    product.full_clean(exclude=["workspace", "key"], validate_constraints=False)
    name_taken = f"Another product in this workspace is already called {product.name}."
    others = Product.objects.filter(workspace_id=product.workspace_id).exclude(pk=product.pk)
    if "name" in changed and others.filter(name=product.name).exists():
        raise ApplicationError(name_taken, field="name")
    save_or_field_error(
        product,
        constraint="product_unique_name_per_workspace",
        field="name",
        message=name_taken,
        raise_as=ApplicationError,
        update_fields=[*changed, "updated_at"],
    )
    return product


# What backlog.services.product_create makes with every product (and labels, made on the fly):
# configuration that goes with the product. Any other row that would be deleted with it is work.
PRODUCT_SETUP_MODELS = frozenset({"backlog.workflowstatus", "backlog.label"})


def product_contents(product: Product) -> list[str]:
    """What the product still holds that deleting it would destroy, by plural name ("stories", "roadmaps", …).

    Read from the relations that cascade from Product, so a new kind of content is covered
    without this app knowing the apps above it.
    """
    held = []
    for relation in Product._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        if relation.on_delete is not models.CASCADE:  # history rows (DO_NOTHING) and the like
            continue
        related = relation.related_model
        if related._meta.label_lower in PRODUCT_SETUP_MODELS:
            continue
        if related._default_manager.filter(**{relation.field.name: product}).exists():
            held.append(str(related._meta.verbose_name_plural))
    return sorted(set(held))


@transaction.atomic
def product_delete(*, product: Product, actor: AbstractBaseUser) -> None:
    """Delete an empty product. One that holds work (items, sprints, roadmaps, PRDs, decisions…) is refused.

    Deleting a product would cascade through everything in it; the work is deleted or moved first,
    one deliberate step at a time. The product row is locked, so no backlog item, requirement or
    decision is created meanwhile (their creators take that lock to advance the key counters).
    """
    locked = Product.objects.select_for_update().filter(pk=product.pk).first()
    if locked is None:
        return
    held = product_contents(locked)
    if held:
        raise ApplicationError(
            f"{locked.name} still holds {', '.join(held)}; delete or move them before deleting the product.",
            extra={"contents": held},
        )
    locked.delete()


def product_next_numbers(*, product_id: int, field: str, count: int = 1) -> list[int]:
    """Reserve `count` numbers from a product's counter (must run inside a transaction).

    The UPDATE takes the product's row lock until the transaction ends, so concurrent
    creators never get the same number.
    """
    updated = Product.objects.filter(pk=product_id).update(**{field: F(field) + count})
    if not updated:
        raise ApplicationError("No such product.")
    last = Product.objects.filter(pk=product_id).values_list(field, flat=True).get()
    return list(range(last - count + 1, last + 1))


# --- API tokens ---------------------------------------------------------------------------------

TOKEN_PREFIX_LENGTH = 10


def token_hash(secret_token: str) -> str:
    # Tokens carry 256 bits of randomness: a fast hash is enough, and lookups stay cheap.
    return hashlib.sha256(secret_token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token and its plain text, which is never stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise ApplicationError("Name the token after what will use it, e.g. 'CI release bot'.", field="name")
    if len(name) > 80:
        raise ApplicationError("Keep the name to 80 characters.", field="name")
    if ApiToken.objects.active().filter(user=user, name=name).exists():
        raise ApplicationError(
            f"You already have a token called “{name}”; revoke it or pick another name.", field="name"
        )
    prefix = secrets.token_hex(TOKEN_PREFIX_LENGTH // 2)
    plain = f"tpm_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=token_hash(plain))
    return token, plain


# A token read from the database is trusted for this long without reading it again: revoking forgets it
# at once; a deactivated user or a token deleted by other means stops working within this time.
TOKEN_CACHE_SECONDS = 60


def token_cache_key(prefix: str) -> str:
    return f"apitoken:{prefix}"


def api_token_authenticate(plain: str) -> ApiToken | None:
    """The live token matching this text, or None. Compares hashes in constant time."""
    parts = plain.split("_", 2)
    if len(parts) != 3 or parts[0] != "tpm":
        return None
    key = token_cache_key(parts[1])
    cached = cache.get(key)
    if cached is not None and time.time() - cached[0] < TOKEN_CACHE_SECONDS:
        token = cached[1]
    else:
        # The prefix is unique: no ORDER BY (first() would sort by the model's ordering).
        rows = ApiToken.objects.active().select_related("user").filter(prefix=parts[1]).order_by()[:1]
        token = next(iter(rows), None)
        if token is not None:
            cache.set(key, (time.time(), token), TOKEN_CACHE_SECONDS)
    if token is None or not hmac.compare_digest(token.key_hash, token_hash(plain)):
        return None
    if not token.user.is_active:
        return None
    return token


def api_token_touch(*, token: ApiToken, at: datetime) -> None:
    """Record use at most once a minute, so that reads do not write on every request."""
    if token.last_used_at is None or (at - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)
        token.last_used_at = at
        key = token_cache_key(token.prefix)
        cached = cache.get(key)
        if cached is not None:  # kept with its read time: the entry still expires a minute after the read
            cache.set(key, (cached[0], token), max(1, int(TOKEN_CACHE_SECONDS - (time.time() - cached[0]))))


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: AbstractBaseUser) -> ApiToken:
    if token.user_id != actor.pk:
        raise ApplicationError("You can only revoke your own tokens.", field="token")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    # Forgotten now, and again after commit in case a request cached the still-live row in between.
    cache.delete(token_cache_key(token.prefix))
    transaction.on_commit(lambda: cache.delete(token_cache_key(token.prefix)))
    token.refresh_from_db()
    return token
