"""Every page of the demo, reached by links as the demo user, answers without a server error or a dead link."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_every_linked_page_of_the_demo_answers():
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("crawl_demo", stdout=out, stderr=StringIO())
    visited = int(out.getvalue().split()[0])
    assert visited > 150  # the crawl really walked the app: every area of every product


def test_without_the_demo_it_says_what_to_run():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("crawl_demo")
