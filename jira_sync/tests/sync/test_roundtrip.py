"""Rich text through a real push and pull: ADF on Cloud, compared normalised so nothing loops."""

from __future__ import annotations

from datetime import timedelta

from backlog import services as backlog
from backlog.models import Story
from jira_sync.adf import adf_to_markdown
from jira_sync.models import PushIntent
from jira_sync.services.push import push_intent
from jira_sync.tasks import run_mapping

from .conftest import HUMAN

MARKDOWN = """# Payouts

Pay **merchants** *daily*, see [the spec](https://example.com/spec) and `payout_run`.

- fast
- cheap

1. queue
2. send

```python
print("paid")
```"""


def test_markdown_survives_push_and_pull_without_a_loop(cloud, mapping, product):
    # given
    story = backlog.story_create(product=product, actor=None, title="Payouts", description=MARKDOWN)
    for pk in PushIntent.objects.values_list("pk", flat=True):
        push_intent(intent_id=pk)
    (issue,) = cloud.state.issues.values()
    types = [node["type"] for node in issue.description["content"]]
    assert types == ["heading", "paragraph", "bulletList", "orderedList", "codeBlock"]
    # when: Jira is edited elsewhere, and the issue is pulled back
    cloud.advance_time(timedelta(minutes=10))
    cloud.state.edit_issue(issue, {"labels": [*issue.labels, "ops"]}, author_id=HUMAN)
    edits_before = len(cloud.calls("PUT"))
    run, _ = run_mapping(mapping.pk, full=False)
    for pk in PushIntent.objects.filter(done_at__isnull=True).values_list("pk", flat=True):
        push_intent(intent_id=pk)
    # then
    story.refresh_from_db()
    assert story.description == MARKDOWN
    assert adf_to_markdown(issue.description) == MARKDOWN
    assert run.counts()["updated"] == 1  # the label, not the description
    assert list(story.labels.values_list("name", flat=True)) == ["ops"]
    assert len(cloud.calls("PUT")) == edits_before  # nothing went back


def test_a_description_written_in_jira_arrives_as_markdown(cloud, mapping):
    # given
    from jira_sync.adf import markdown_to_adf

    cloud.state.create_issue("ABC", "Story", "S", author_id=HUMAN, description=markdown_to_adf(MARKDOWN))
    # when
    run_mapping(mapping.pk, full=False)
    # then
    assert Story.objects.get().description == MARKDOWN
    assert PushIntent.objects.count() == 0
