"""Two people editing the same PRD in the browser: the second save from an older page is refused with what the
first saved and who, the second person's text is kept, and the first change stays intact."""

import html
import re

from django.test import Client

from decisions import services
from decisions.models import Requirement

from .conftest import save_data, url


def words(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_two_people_edit_a_requirement_the_second_is_refused_with_theirs_in_words(
    client, product, editor, admin_user, prd
):
    # given: A and B open the requirement's editor
    requirement = services.requirement_create(prd=prd, actor=editor, title="Refunds", description="Card only")
    edit_url = url("requirement_edit", product.pk, prd.pk, requirement.pk)
    a, b = client, Client()
    a.force_login(admin_user)
    b.force_login(editor)
    prefix = f"r{requirement.pk}"

    def opened(c: Client) -> str:
        body = c.get(edit_url, HTTP_HX_REQUEST="true").content.decode()
        return re.search(rf'name="{prefix}-base_updated_at" value="([^"]+)"', body).group(1)

    base_a, base_b = opened(a), opened(b)
    # when
    first = a.post(
        edit_url,
        {
            f"{prefix}-title": "Refunds in 3 days",
            f"{prefix}-priority": "must",
            f"{prefix}-description": "Card and wallet",
            f"{prefix}-base_updated_at": base_a,
        },
        HTTP_HX_REQUEST="true",
    )
    second = b.post(
        edit_url,
        {
            f"{prefix}-title": "Refunds in a week",
            f"{prefix}-priority": "should",
            f"{prefix}-description": "Card only",
            f"{prefix}-base_updated_at": base_b,
        },
        HTTP_HX_REQUEST="true",
    )
    # then
    assert first.status_code == 200
    assert second.status_code == 409
    text = words(second)
    assert f"{admin_user.get_full_name()} changed {requirement.key} while you were editing." in text
    assert "It now reads: “Refunds in 3 days” (Must have), with the details “Card and wallet”." in text
    assert 'value="Refunds in a week"' in second.content.decode()  # B's text is kept
    current = Requirement.objects.get(pk=requirement.pk)
    assert (current.title, current.description) == ("Refunds in 3 days", "Card and wallet")


def test_two_people_edit_a_section_the_second_is_refused(client, product, editor, admin_user, prd):
    # given: both opened the Problem editor at the same version
    a, b = client, Client()
    a.force_login(admin_user)
    b.force_login(editor)
    save_url = url("prd_section_save", product.pk, prd.pk)
    data_a, data_b = save_data(prd, "problem", "Ana's problem"), save_data(prd, "problem", "Ben's problem")
    # when
    first = a.post(save_url, data_a, HTTP_HX_REQUEST="true")
    second = b.post(save_url, data_b, HTTP_HX_REQUEST="true")
    # then
    assert first.status_code == 200
    assert second.status_code == 409
    assert f"by {admin_user.get_full_name()}" in words(second)
    assert "<p>Ana's problem</p>" in html.unescape(second.content.decode())
    assert "Ben's problem</textarea>" in html.unescape(second.content.decode())
    assert prd.sections.get(kind="problem").body == "Ana's problem"
