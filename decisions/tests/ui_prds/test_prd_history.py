"""Version history: the list, one version, comparing two versions side by side or inline."""

import re

import pytest

from decisions import services
from decisions.models import PRDVersion
from decisions.tests.factories import PRDFactory
from decisions.tests.helpers import edited_sections
from workspaces.models import Role

from .conftest import url
from .helpers import HOSTILE, assert_inert, fragment


def versions(prd) -> list[PRDVersion]:
    return list(prd.versions.order_by("number"))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_the_history_lists_versions_newest_first(client, product, member_factory, prd, role):
    client.force_login(member_factory(role))
    response = client.get(url("prd_history", product.pk, prd.pk))
    body = response.content.decode()
    v1, v2 = versions(prd)
    assert response.status_code == 200
    assert body.index(">v2</a>") < body.index(">v1</a>")
    assert "First draft" in body and "Created" in body
    assert f'href="{url("prd_diff", product.pk, prd.pk, v1.pk, v2.pk)}?mode=side"' in body
    assert f'href="{url("prd_version_detail", product.pk, prd.pk, v1.pk)}"' in body
    assert 'name="from_number"' in body and 'name="to_number"' in body


def test_the_history_pages_and_htmx_gets_the_list_only(client, product, editor, prd):
    for i in range(30):
        services.prd_update(prd=prd, actor=editor, sections=edited_sections(prd, goals=f"Goal {i}"))
    client.force_login(editor)
    body = client.get(url("prd_history", product.pk, prd.pk), {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert body.lstrip().startswith('<section id="versions"')
    assert ">v7</a>" in body and ">v8</a>" not in body
    assert "Page 2 of 2" in body


def test_one_version_shows_its_content_as_it_was(client, product, editor, prd):
    services.prd_update(prd=prd, actor=editor, sections=edited_sections(prd, goals="Changed later"))
    v1, v2, _ = versions(prd)
    client.force_login(editor)
    body = client.get(url("prd_version_detail", product.pk, prd.pk, v2.pk)).content.decode()
    assert "version 2" in body
    assert "<li>Pay in one click</li>" in body and "Changed later" not in body
    assert f'href="{url("prd_diff", product.pk, prd.pk, v1.pk, v2.pk)}?mode=side"' in body


def test_the_compare_form_goes_to_the_diff(client, product, editor, prd):
    client.force_login(editor)
    v1, v2 = versions(prd)
    response = client.get(url("prd_compare", product.pk, prd.pk), {"from_number": 1, "to_number": 2, "mode": "inline"})
    assert response.status_code == 302
    assert response["Location"] == f"{url('prd_diff', product.pk, prd.pk, v1.pk, v2.pk)}?mode=inline"


@pytest.mark.parametrize("query", [{"from_number": 1, "to_number": 9}, {"from_number": "x", "to_number": 1}])
def test_comparing_versions_that_do_not_exist_answers_422(client, product, editor, prd, query):
    client.force_login(editor)
    response = client.get(url("prd_compare", product.pk, prd.pk), query, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422
    assert body.lstrip().startswith('<form id="compare-form"')
    assert 'aria-invalid="true"' in body


def edit_goals(prd, editor) -> tuple[PRDVersion, PRDVersion]:
    services.prd_update(
        prd=prd,
        actor=editor,
        sections=edited_sections(prd, goals="- Pay in one tap\n- Save the card"),
        change_note="Tap",
    )
    _, v2, v3 = versions(prd)
    return v2, v3


def test_the_side_by_side_diff_marks_changed_words(client, product, editor, viewer, prd):
    v2, v3 = edit_goals(prd, editor)
    client.force_login(viewer)
    response = client.get(url("prd_diff", product.pk, prd.pk, v2.pk, v3.pk))
    body = response.content.decode()
    assert response.status_code == 200
    goals = fragment(body, "diff-section-2")
    assert 'class="diff diff--side"' in goals
    assert '- Pay in one <del class="diff__del">click</del>' in goals
    assert '- Pay in one <ins class="diff__ins">tap</ins>' in goals
    assert '<ins class="diff__ins">- Save the card</ins>' in goals
    assert "Unchanged: Problem, Non-goals" in body
    assert "style=" not in fragment(body, "diff")


def test_the_inline_diff_is_in_the_url(client, product, editor, prd):
    v2, v3 = edit_goals(prd, editor)
    client.force_login(editor)
    body = client.get(url("prd_diff", product.pk, prd.pk, v2.pk, v3.pk), {"mode": "inline"}).content.decode()
    assert 'class="diff diff--inline"' in body and 'class="diff diff--side"' not in body
    assert 'class="diff__row diff__row--delete"' in body and 'class="diff__row diff__row--insert"' in body
    assert '?mode=inline" hx-get=' in body and 'aria-current="true">Inline</a>' in body


def test_htmx_switching_the_mode_gets_the_diff_only(client, product, editor, prd):
    v2, v3 = edit_goals(prd, editor)
    client.force_login(editor)
    response = client.get(url("prd_diff", product.pk, prd.pk, v2.pk, v3.pk), {"mode": "inline"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="diff" class="prd-diff">')
    assert "<html" not in body and "diff--inline" in body


def test_an_unknown_mode_falls_back_to_side_by_side(client, product, editor, prd):
    v2, v3 = edit_goals(prd, editor)
    client.force_login(editor)
    body = client.get(url("prd_diff", product.pk, prd.pk, v2.pk, v3.pk), {"mode": "<script>"}).content.decode()
    assert "diff--side" in body


def test_the_same_version_twice_says_so(client, product, editor, prd):
    v1, _ = versions(prd)
    client.force_login(editor)
    body = client.get(url("prd_diff", product.pk, prd.pk, v1.pk, v1.pk)).content.decode()
    assert "That is the same version twice" in body


def test_a_version_of_another_prd_is_404(client, product, editor, prd):
    other = PRDFactory(product=product, actor=editor, title="Other")
    foreign = other.versions.get()
    v1, _ = versions(prd)
    client.force_login(editor)
    assert client.get(url("prd_version_detail", product.pk, prd.pk, foreign.pk)).status_code == 404
    assert client.get(url("prd_diff", product.pk, prd.pk, v1.pk, foreign.pk)).status_code == 404


def test_an_outsider_gets_404(client, product, outsider, other_product, prd):
    v1, v2 = versions(prd)
    client.force_login(outsider)
    for path in (
        url("prd_history", product.pk, prd.pk),
        url("prd_version_detail", product.pk, prd.pk, v1.pk),
        url("prd_diff", product.pk, prd.pk, v1.pk, v2.pk),
        url("prd_diff", other_product.pk, prd.pk, v1.pk, v2.pk),
        url("prd_compare", product.pk, prd.pk) + "?from_number=1&to_number=2",
    ):
        assert client.get(path).status_code == 404, path


def test_history_and_diff_run_a_bounded_number_of_queries(client, product, editor, prd, django_assert_max_num_queries):
    def grow(n: int) -> None:
        for i in range(n):
            services.prd_update(prd=prd, actor=editor, sections=edited_sections(prd, goals=f"Goal {i}\nmore"))
            services.requirement_create(prd=prd, actor=editor, title=f"Req {i}")

    client.force_login(editor)
    grow(2)
    first = prd.versions.order_by("number").first()
    with django_assert_max_num_queries(10) as small_history:
        assert client.get(url("prd_history", product.pk, prd.pk)).status_code == 200
    last = prd.versions.order_by("-number").first()
    with django_assert_max_num_queries(9) as small_diff:
        assert client.get(url("prd_diff", product.pk, prd.pk, first.pk, last.pk)).status_code == 200
    grow(20)
    last = prd.versions.order_by("-number").first()
    with django_assert_max_num_queries(len(small_history.captured_queries)):
        assert client.get(url("prd_history", product.pk, prd.pk)).status_code == 200
    with django_assert_max_num_queries(len(small_diff.captured_queries)):
        body = client.get(url("prd_diff", product.pk, prd.pk, first.pk, last.pk)).content.decode()
    assert "Req 19" in body


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_shows_as_text_in_the_diff_and_renders_inert_in_the_version(client, product, editor, prd, text):
    services.prd_update(prd=prd, actor=editor, sections=edited_sections(prd, goals=text))
    _, v2, v3 = versions(prd)
    client.force_login(editor)
    for mode in ("side", "inline"):
        body = client.get(url("prd_diff", product.pk, prd.pk, v2.pk, v3.pk), {"mode": mode}).content.decode()
        rows = fragment(body, "diff-section-2")
        cells = re.findall(r'<td class="diff__text[^"]*">(.*?)</td>', rows, flags=re.S)
        assert cells
        markup = {name.lower() for cell in cells for name in re.findall(r"<\s*/?\s*([a-zA-Z]\w*)", cell)}
        assert markup <= {"ins", "del", "span"}
    body = client.get(url("prd_version_detail", product.pk, prd.pk, v3.pk)).content.decode()
    assert_inert(body[body.index("<h2") : body.index('id="v-requirements"')])
