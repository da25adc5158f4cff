"""prd_create: a PRD's title is unique in its product, even when two requests create one at once."""

import pytest
from django.core.exceptions import ValidationError

from core.tests.helpers import miss_duplicate_checks
from decisions.models import PRD, PRDVersion
from decisions.services import prd_create


def test_a_duplicate_title_that_slips_past_the_check_is_a_title_error(product, editor, monkeypatch):
    # given "Checkout 2.0", unseen by the service's check (as when another request created it meanwhile)
    prd_create(product=product, actor=editor, title="Checkout 2.0")
    miss_duplicate_checks(monkeypatch, PRD)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        prd_create(product=product, actor=editor, title="Checkout 2.0")
    assert excinfo.value.message_dict == {"title": ["Payments already has a PRD called Checkout 2.0."]}
    assert PRD.objects.filter(product=product).count() == 1
    assert PRDVersion.objects.filter(prd__product=product).count() == 1
