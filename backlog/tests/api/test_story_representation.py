"""The story's output written directly (StorySerializer.represent) is exactly DRF's generic walk over its fields."""

import pytest
from rest_framework import serializers

from backlog import services
from backlog.api.serializers import StorySerializer
from backlog.models import Story, WorkflowStatus
from backlog.tests.factories import EpicFactory, FeatureFactory, SprintFactory, StoryFactory
from workspaces.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/stories/"


class GenericStorySerializer(StorySerializer):
    """The same declared fields, represented by DRF's ModelSerializer itself."""

    class Meta(StorySerializer.Meta):
        list_serializer_class = serializers.ListSerializer

    def to_representation(self, story):
        return serializers.ModelSerializer.to_representation(self, story)


def generic(story_ids):
    stories = Story.objects.filter(pk__in=story_ids).order_by("rank", "pk")
    return [GenericStorySerializer(story).data for story in stories]


@pytest.fixture
def varied_stories(product, editor, contributor):
    nameless = UserFactory(username="nameless", first_name="", last_name="")
    product.workspace.memberships.create(user=nameless, role="contributor")
    epic = EpicFactory(product=product)
    feature = FeatureFactory(epic=epic)
    done = WorkflowStatus.objects.get(product=product, name="Done")
    sprint = SprintFactory(product=product)
    return [
        StoryFactory(feature=feature, labels=["zeta", "alpha"], acceptance_criteria=["second", "first"]),
        StoryFactory(epic=epic, points=None, assignee=contributor, owner=nameless, sprint=sprint),
        StoryFactory(feature=feature, status=done, assignee=editor, statement="As a TPM…", description="**md**"),
        StoryFactory(product=product, epic=epic, priority=1, labels=["solo"]),
    ]


def test_list_output_is_the_generic_output(token_client, editor, product, varied_stories):
    # given
    criterion = varied_stories[0].acceptance_criteria.order_by("position").first()
    services.criterion_set_met(criterion=criterion, is_met=True)

    # when
    response = token_client(editor).get(URL, {"product": product.pk, "page_size": 100})

    # then
    assert response.status_code == 200
    assert response.json()["results"] == generic([story.pk for story in varied_stories])


def test_detail_output_is_the_generic_output(token_client, editor, varied_stories):
    client = token_client(editor)
    for story in varied_stories:
        response = client.get(f"{URL}{story.pk}/")
        assert response.status_code == 200
        assert response.json() == generic([story.pk])[0]


def test_output_after_a_write_is_the_generic_output(token_client, contributor, varied_stories):
    story = varied_stories[1]
    client = token_client(contributor)
    etag = client.get(f"{URL}{story.pk}/")["ETag"]
    response = client.patch(f"{URL}{story.pk}/", {"title": "Renamed", "labels": ["b", "a"]}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response.json() == generic([story.pk])[0]
