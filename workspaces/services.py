"""Writes on tenants: creating workspaces and products, managing members."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from core.errors import ApplicationError

from .models import ApiToken, Membership, Product, Role, Workspace


@transaction.atomic
def workspace_create(*, name: str, creator: AbstractBaseUser, slug: str = "") -> Workspace:
    slug = slug or slugify(name)[:60]
    if not slug:
        raise ApplicationError("Give the workspace a name with at least one letter or digit.", field="name")
    if Workspace.objects.filter(slug=slug).exists():
        raise ApplicationError(f"A workspace with the address '{slug}' already exists.", field="slug")
    workspace = Workspace.objects.create(name=name, slug=slug)
    Membership.objects.create(workspace=workspace, user=creator, role=Role.ADMIN)
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


@transaction.atomic
def member_set_role(*, membership: Membership, role: str) -> Membership:
    _check_role(role)
    # Lock this membership and every admin of its workspace in one statement, in primary-key order: two
    # admins demoting each other at once then queue up, and the second sees that only one admin is left.
    # (A COUNT with select_for_update() locks nothing: Django drops FOR UPDATE from aggregates.)
    locked_rows = list(
        Membership.objects.select_for_update()
        .filter(Q(pk=membership.pk) | Q(workspace_id=membership.workspace_id, role=Role.ADMIN))
        .order_by("pk")
    )
    locked = next((row for row in locked_rows if row.pk == membership.pk), None)
    if locked is None:
        raise ApplicationError("This person is no longer a member of the workspace.", field="role")
    if locked.role == Role.ADMIN and role != Role.ADMIN:
        admins = sum(1 for row in locked_rows if row.role == Role.ADMIN)
        if admins <= 1:
            raise ApplicationError("A workspace keeps at least one admin; make someone else admin first.", field="role")
    locked.role = role
    locked.save(update_fields=["role", "updated_at"])
    return locked


@transaction.atomic
def product_create(*, workspace: Workspace, name: str, key: str, description: str = "") -> Product:
    """A bare product; backlog.services.product_create also gives it its workflow."""
    key = key.strip().upper()
    product = Product(workspace=workspace, name=name.strip(), key=key, description=description)
    product.full_clean(validate_constraints=False)
    if Product.objects.filter(workspace=workspace, key=key).exists():
        raise ApplicationError(f"Another product in this workspace already uses the key {key}.", field="key")
    if Product.objects.filter(workspace=workspace, name=product.name).exists():
        raise ApplicationError(f"Another product in this workspace is already called {product.name}.", field="name")
    product.save()
    return product


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


def api_token_authenticate(plain: str) -> ApiToken | None:
    """The live token matching this text, or None. Compares hashes in constant time."""
    parts = plain.split("_", 2)
    if len(parts) != 3 or parts[0] != "tpm":
        return None
    token = ApiToken.objects.active().select_related("user").filter(prefix=parts[1]).first()
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


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: AbstractBaseUser) -> ApiToken:
    if token.user_id != actor.pk:
        raise ApplicationError("You can only revoke your own tokens.", field="token")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token
