from django.urls import reverse

from backlog.tests.factories import StoryFactory
from decisions.models import StakeholderRole
from decisions.services import signoff_request
from decisions.tests.factories import PRDFactory
from workspaces.tests.factories import PASSWORD, ProductFactory


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_with_the_right_password_lands_on_home(client, editor):
    response = client.post(reverse("login"), {"username": "eddie", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert b"Your workspaces" in response.content


def test_wrong_password_says_so_next_to_the_form(client, editor):
    response = client.post(reverse("login"), {"username": "eddie", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_home_shows_my_products_and_signoffs_but_nothing_of_another_workspace(
    client, product, editor, viewer, other_product
):
    # given
    StoryFactory(product=product, points=5)
    StoryFactory(product=other_product, title="Globex secret story")
    prd = PRDFactory(product=product, actor=editor, title="Card vaulting")
    signoff_request(document=prd, actor=editor, approver=viewer, role=StakeholderRole.LEADERSHIP)
    client.force_login(viewer)
    # when
    response = client.get(reverse("home"))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "Payments" in body and "PAY" in body
    assert "Card vaulting" in body
    assert "Globex" not in body


def test_home_queries_stay_bounded_with_more_products(client, workspace, editor, django_assert_max_num_queries):
    client.force_login(editor)
    for i in range(3):
        StoryFactory(product=ProductFactory(workspace=workspace, name=f"Small {i}", key=f"SM{i}"))
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("home"))
    for i in range(20):
        StoryFactory(product=ProductFactory(workspace=workspace, name=f"Big {i}", key=f"BG{i}"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("home"))
    assert response.status_code == 200
