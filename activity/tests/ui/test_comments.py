"""Comments in the browser: `{% comments_panel obj %}` and activity:comments_<kind>, edit and delete."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from activity.models import Comment, Notification
from activity.services import comment_create
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory, TechDebtItemFactory
from decisions.services import requirement_create
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from workspaces.models import Membership, Role
from workspaces.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(product, editor):
    return StoryFactory(product=product, title="Refund a card payment", actor=editor)


def comments_url(product, story) -> str:
    return reverse("activity:comments_story", args=[product.pk, story.pk])


def thread_of(target):
    return Comment.objects.filter(content_type=ContentType.objects.get_for_model(target), object_id=target.pk)


def make_targets(product, editor):
    epic = EpicFactory(product=product, actor=editor)
    prd = PRDFactory(product=product, actor=editor)
    return {
        "story": StoryFactory(product=product, actor=editor),
        "epic": epic,
        "feature": FeatureFactory(epic=epic, actor=editor),
        "techdebt": TechDebtItemFactory(product=product, actor=editor),
        "roadmap_item": RoadmapItemFactory(roadmap=RoadmapFactory(product=product), actor=editor),
        "prd": prd,
        "requirement": requirement_create(prd=prd, actor=editor, title="Refunds within 5 days"),
        "decision": DecisionRecordFactory(product=product, actor=editor),
    }


@pytest.mark.parametrize(
    "kind", ["story", "epic", "feature", "techdebt", "roadmap_item", "prd", "requirement", "decision"]
)
def test_every_kind_takes_comments_through_its_own_url(client, product, editor, kind):
    # given
    target = make_targets(product, editor)[kind]
    client.force_login(editor)
    url = reverse(f"activity:comments_{kind}", args=[product.pk, target.pk])
    # when
    response = client.post(url, {"body": f"About this {kind}"}, HTTP_HX_REQUEST="true")
    # then
    assert response.status_code == 200
    assert f"About this {kind}" in response.content.decode()
    assert thread_of(target).get().author == editor
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_member_reads_and_comments_viewers_included(client, product, story, member_factory, role):
    # given
    client.force_login(member_factory(role))
    # when
    response = client.post(comments_url(product, story), {"body": "Why now?", "next": "/somewhere/"})
    # then: a plain POST goes back where it came from
    assert response.status_code == 302
    assert response["Location"] == f"/somewhere/#comments-story-{story.pk}"
    assert thread_of(story).count() == 1
    page = client.get(comments_url(product, story))
    assert page.status_code == 200
    assert "Why now?" in page.content.decode()


def test_the_page_of_the_thread_is_a_whole_page_and_htmx_gets_the_panel_only(client, product, story, viewer):
    client.force_login(viewer)
    page = client.get(comments_url(product, story)).content.decode()
    fragment = client.get(comments_url(product, story), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" in page and "Comments" in page and "Refund a card payment" in page
    assert "<html" not in fragment
    assert '<h2 id="comments-story-' in fragment and "<section" not in fragment
    assert "No comments yet" in fragment


def test_an_empty_comment_is_422_with_the_error_next_to_the_field(client, product, story, viewer):
    client.force_login(viewer)
    response = client.post(comments_url(product, story), {"body": "   "}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422
    assert "Write something before posting." in body
    assert 'aria-invalid="true"' in body
    assert "<html" not in body
    assert not thread_of(story).exists()


def test_a_foreign_redirect_target_is_ignored(client, product, story, viewer):
    client.force_login(viewer)
    response = client.post(comments_url(product, story), {"body": "Hi", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_an_outsider_gets_404_and_nothing_is_written(client, product, story, outsider, other_product):
    client.force_login(outsider)
    assert client.get(comments_url(product, story)).status_code == 404
    assert client.post(comments_url(product, story), {"body": "x"}).status_code == 404
    # their own product with this story's id: still 404
    foreign = reverse("activity:comments_story", args=[other_product.pk, story.pk])
    assert client.post(foreign, {"body": "x"}).status_code == 404
    assert not thread_of(story).exists()


def test_a_story_of_another_product_of_the_workspace_is_404_under_this_product(client, product, workspace, editor):
    from workspaces.tests.factories import ProductFactory

    other = ProductFactory(workspace=workspace, key="CHK")
    story = StoryFactory(product=other, actor=editor)
    client.force_login(editor)
    assert client.get(reverse("activity:comments_story", args=[product.pk, story.pk])).status_code == 404


def test_a_mention_highlights_the_member_and_notifies_them(client, product, story, viewer, editor):
    # given
    client.force_login(viewer)
    # when
    client.post(comments_url(product, story), {"body": "@eddie can you check? cc @nobody"})
    # then
    notification = Notification.objects.get(recipient=editor)
    assert notification.kind == Notification.Kind.MENTION
    body = client.get(comments_url(product, story)).content.decode()
    assert '<span class="mention">@eddie</span>' in body
    assert '<span class="mention">@nobody</span>' not in body


def test_hostile_markdown_renders_inert(client, product, story, viewer):
    # given
    hostile = (
        '<script>alert(1)</script> <img src=x onerror="alert(2)"> [click](javascript:alert(3)) '
        '<a href="#" onclick="alert(4)">a</a> **bold** `@eddie <b>x</b>`'
    )
    comment_create(workspace=product.workspace, target=story, author=viewer, body=hostile)
    client.force_login(viewer)
    # when
    body = client.get(comments_url(product, story), HTTP_HX_REQUEST="true").content.decode()
    # then
    assert "<script>alert" not in body
    assert "onerror" not in body and "onclick" not in body
    assert "javascript:" not in body
    assert "<strong>bold</strong>" in body
    assert "<code>@eddie &lt;b&gt;x&lt;/b&gt;</code>" in body  # no highlight inside code, still escaped


def test_the_author_edits_their_comment_in_place(client, product, story, viewer, editor):
    # given
    comment = comment_create(workspace=product.workspace, target=story, author=viewer, body="First take")
    client.force_login(viewer)
    edit_url = reverse("activity:comment_edit", args=[product.pk, comment.pk])
    # when: the form, then the save
    form = client.get(edit_url, HTTP_HX_REQUEST="true")
    version = comment.updated_at.isoformat()
    saved = client.post(edit_url, {"body": "Second take @eddie", "version": version}, HTTP_HX_REQUEST="true")
    # then
    assert form.status_code == 200 and "First take" in form.content.decode() and "<html" not in form.content.decode()
    assert saved.status_code == 200
    assert "Second take" in saved.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Second take @eddie"
    assert Notification.objects.filter(recipient=editor).count() == 1


def test_a_stale_edit_is_refused_with_409_keeping_the_typed_text(client, product, story, viewer):
    comment = comment_create(workspace=product.workspace, target=story, author=viewer, body="First take")
    client.force_login(viewer)
    edit_url = reverse("activity:comment_edit", args=[product.pk, comment.pk])
    response = client.post(
        edit_url, {"body": "My edit", "version": "2000-01-01T00:00:00+00:00"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    assert "changed since you opened it" in response.content.decode()
    assert "My edit" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "First take"


def test_an_empty_edit_is_422(client, product, story, viewer):
    comment = comment_create(workspace=product.workspace, target=story, author=viewer, body="First take")
    client.force_login(viewer)
    edit_url = reverse("activity:comment_edit", args=[product.pk, comment.pk])
    response = client.post(edit_url, {"body": " "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    comment.refresh_from_db()
    assert comment.body == "First take"


def test_someone_else_cannot_edit_and_only_an_admin_may_delete(client, product, story, viewer, editor, admin_user):
    # given
    comment = comment_create(workspace=product.workspace, target=story, author=viewer, body="Mine")
    edit_url = reverse("activity:comment_edit", args=[product.pk, comment.pk])
    delete_url = reverse("activity:comment_delete", args=[product.pk, comment.pk])
    client.force_login(editor)
    # when / then: another member
    assert client.get(edit_url).status_code == 403
    assert client.post(edit_url, {"body": "Yours now"}).status_code == 403
    assert client.post(delete_url).status_code == 403
    assert "Edit" not in client.get(comments_url(product, story), HTTP_HX_REQUEST="true").content.decode()
    # when / then: an admin moderates
    client.force_login(admin_user)
    response = client.post(delete_url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "No comments yet" in response.content.decode()
    assert not thread_of(story).exists()


def test_the_author_deletes_without_js_and_goes_back(client, product, story, viewer):
    comment = comment_create(workspace=product.workspace, target=story, author=viewer, body="Mine")
    client.force_login(viewer)
    response = client.post(
        reverse("activity:comment_delete", args=[product.pk, comment.pk]), {"next": f"/p/{product.pk}/"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"/p/{product.pk}/#comments-story-")
    assert not thread_of(story).exists()


def test_edit_and_delete_of_a_comment_elsewhere_are_404(client, product, story, viewer, outsider, other_product):
    comment = comment_create(workspace=product.workspace, target=story, author=viewer, body="Mine")
    client.force_login(outsider)
    for name in ("activity:comment_edit", "activity:comment_delete"):
        for pid in (product.pk, other_product.pk):
            url = reverse(name, args=[pid, comment.pk])
            assert client.get(url).status_code == 404
            assert client.post(url, {"body": "x"}).status_code == 404
    assert Comment.objects.get(pk=comment.pk).body == "Mine"


def test_the_template_tag_renders_the_panel_for_the_page_of_a_row(product, story, viewer):
    # given
    comment_create(workspace=product.workspace, target=story, author=viewer, body="Looks good @eddie")
    request = RequestFactory().get(f"/p/{product.pk}/backlog/stories/{story.pk}/")
    request.user = viewer
    request.membership = Membership.objects.get(user=viewer)
    # when
    html = Template("{% load activity %}{% comments_panel story %}").render(
        Context({"request": request, "story": story, "product": product, "user": viewer, "csrf_token": "t"})
    )
    # then
    assert f'id="comments-story-{story.pk}"' in html
    assert "Looks good" in html
    assert f'action="{comments_url(product, story)}"' in html
    assert f'value="/p/{product.pk}/backlog/stories/{story.pk}/"' in html  # comes back to the page


@pytest.mark.parametrize("size", [2, 20])
def test_the_thread_reads_in_a_bounded_number_of_queries(
    client, product, story, viewer, workspace, django_assert_max_num_queries, size
):
    # given
    for n in range(size):
        author = MembershipFactory(workspace=workspace, role=Role.VIEWER, user=UserFactory(username=f"m{n}")).user
        comment_create(workspace=workspace, target=story, author=author, body=f"Note {n} for @vic and @eddie")
    client.force_login(viewer)
    # when / then: the session, the user, product, membership, the comments, their mentions, …
    with django_assert_max_num_queries(10):
        response = client.get(comments_url(product, story), HTTP_HX_REQUEST="true")
    assert response.content.decode().count('class="comment"') == size


def test_editing_without_js_is_a_page_and_the_save_redirects_back(client, product, story, viewer):
    comment = comment_create(workspace=product.workspace, target=story, author=viewer, body="First take")
    client.force_login(viewer)
    edit_url = reverse("activity:comment_edit", args=[product.pk, comment.pk])
    page = client.get(edit_url, {"next": f"/p/{product.pk}/"})
    assert page.status_code == 200 and "<html" in page.content.decode() and "Edit your comment" in page.content.decode()
    saved = client.post(edit_url, {"body": "Better", "next": f"/p/{product.pk}/"})
    assert saved.status_code == 302 and saved["Location"] == f"/p/{product.pk}/#comment-{comment.pk}"
