"""Forget cached API tokens whenever the rows behind them change outside api_token_revoke.

The token cache (workspaces.services.api_token_authenticate) trusts a token for up to a minute; these
receivers make a deactivated or deleted user, and a token deleted or edited by other means (the admin,
a cascade), stop authenticating at once instead.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import ApiToken
from .services import token_cache_key


def _forget(prefixes: list[str]) -> None:
    keys = [token_cache_key(prefix) for prefix in prefixes]
    if keys:
        cache.delete_many(keys)
        # Again after commit: a request may have cached the old row between now and then.
        transaction.on_commit(lambda: cache.delete_many(keys))


@receiver([post_save, post_delete], sender=ApiToken)
def forget_changed_token(sender: type, instance: ApiToken, **kwargs: Any) -> None:
    _forget([instance.prefix])


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def forget_tokens_of_deactivated_user(sender: type, instance: Any, **kwargs: Any) -> None:
    if not instance.is_active:
        _forget(list(ApiToken.objects.filter(user_id=instance.pk).values_list("prefix", flat=True)))
