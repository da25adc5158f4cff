"""The people behind the demo: their users, and the demo login.

The only direct writes of the seed are here, on Django's own user model (there is no service for people).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission

from core.errors import ApplicationError

from .specs import ADMIN_APPS, DEMO_PASSWORD, Person


def person_user(person: Person) -> AbstractBaseUser:
    """The person's user, created on first use; a same-named user who is not the demo person is refused."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=person.username).first()
    if user is None:
        user = user_model(
            username=person.username, first_name=person.first_name, last_name=person.last_name, email=person.email
        )
        user.set_unusable_password()
        user.save()
    elif user.email.lower() != person.email:
        raise ApplicationError(
            f"A user called “{person.username}” already exists and is not the demo's ({user.email or 'no e-mail'}); "
            "run seed_demo on a database without that user."
        )
    return user


def make_demo_login(user: AbstractBaseUser) -> None:
    """The demo login: the printed password, staff (never superuser), admin rights on the domain apps."""
    user.set_password(DEMO_PASSWORD)
    user.is_active = True
    user.is_staff = True
    user.is_superuser = False
    user.save(update_fields=["password", "is_active", "is_staff", "is_superuser"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))
