"""XSS: a corpus of hostile Markdown and HTML in every rich-text field renders inert everywhere it is shown.

Given the demo workspace, the corpus (tpm_workspace/tests/xss.py) is written through the services into a
new epic, feature, story (statement, description, acceptance criteria), tech debt item, roadmap item,
milestone, goal, PRD (every section, a second version), requirement, decision record (every MADR field)
and its options, comments on each and a sign-off rejected with a comment; every other text field of every
row (titles, names, notes, sprint goals, Jira messages…) gets a one-line payload. Then every browser page
(generated from the URL patterns, as the tenancy walk does, choosing the newest rows: ours), the search
results, a PRD diff, the Markdown preview, every admin changelist and change page, and the API's answers
are read and their parsed HTML checked: no script that is not ours, no on* attribute, no javascript: /
data: URL, no frames or inline styles. A real browser then opens the pages and nothing runs.
"""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import models
from django.db.models import CharField, ForeignKey, Value
from django.db.models.functions import Cast, Concat, Left
from django.test import Client
from django.urls import reverse

from activity.services import comment_create
from backlog import services as backlog
from backlog.models import Epic, Story
from core.tests.helpers import sign_in
from core.ui.objects import object_for_kwarg
from decisions.models import PRD, DecisionRecord, PRDVersion, SignOffEvent
from decisions.services import prds, records, signoffs
from jira_sync.tests.ui.factories import demo_jira
from roadmap import services as roadmap
from roadmap.models import Roadmap
from workspaces.models import Membership, Product, Role, Workspace

from .tenancy import route_kwargs, route_to_url, url_routes
from .xss import LINE, MARKDOWN, MARKER, inert_problems, shows_payload

pytestmark = pytest.mark.django_db

# Rows that PostgreSQL keeps append-only (their content comes from the services above), histories, and
# stored secrets (Fernet tokens: never shown, see test_security_secrets.py).
SWEEP_SKIP_MODELS = {PRDVersion, SignOffEvent}
SWEEP_SKIP_FIELDS = {"rank", "token_encrypted", "webhook_secret_encrypted", "secret_encrypted", "key", "slug"}
OUR_APPS = {"workspaces", "activity", "backlog", "roadmap", "decisions", "webhooks", "jira_sync"}


def _text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField | models.CharField)
        and not field.choices
        and field.name not in SWEEP_SKIP_FIELDS
        and not field.unique
        and (isinstance(field, models.TextField) or field.max_length >= 100)
        and not isinstance(field, models.EmailField | models.URLField | models.SlugField)
    ]


def poison_everything_else() -> None:
    """Every other text field of every row of our apps: a one-line payload (suffixed with the pk, for unique names)."""
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model in SWEEP_SKIP_MODELS or "Historical" in model.__name__:
            continue
        for field in _text_fields(model):
            value = Concat(Value(f"{LINE} "), Cast("pk", CharField()))
            if isinstance(field, models.CharField):
                value = Left(value, field.max_length)
            # Rows the services wrote the corpus into keep it.
            model._default_manager.exclude(**{f"{field.name}__contains": MARKER}).update(**{field.name: value})


def poison_through_services(*, product: Product, actor: Any, approver: Any) -> dict[str, Any]:
    """New rows of every kind that holds rich text, written with the corpus through the services."""
    workspace = product.workspace
    epic = backlog.epic_create(product=product, actor=actor, title=f"Epic {LINE}", description=MARKDOWN)
    feature = backlog.feature_create(epic=epic, actor=actor, title=f"Feature {LINE}", description=MARKDOWN)
    story = backlog.story_create(
        product=product,
        actor=actor,
        title=f"Story {LINE}",
        feature=feature,
        statement=MARKDOWN,
        description=MARKDOWN,
        acceptance_criteria=[LINE, "<svg onload=window.__xss=1>"],
        labels=["xss"],
    )
    backlog.story_update(story=story, actor=actor, description=MARKDOWN + "\n\nEdited.")
    debt = backlog.tech_debt_create(product=product, actor=actor, title=f"Debt {LINE}", description=MARKDOWN)
    product_roadmap = Roadmap.objects.filter(product=product).order_by("pk").first()
    milestone = roadmap.milestone_create(
        product=product, actor=actor, name=f"Release {LINE}"[:100], date=date(2027, 3, 1), description=MARKDOWN
    )
    goal = roadmap.goal_create(product=product, title=f"Goal {LINE}"[:100], description=MARKDOWN)
    item = roadmap.roadmap_item_create(
        roadmap=product_roadmap,
        actor=actor,
        title=f"Item {LINE}",
        description=MARKDOWN,
        milestone=milestone,
        epics=[epic],
        goals=[goal],
    )
    prd = prds.prd_create(
        product=product,
        actor=actor,
        title=f"PRD {LINE}",
        sections=[{"title": "Problem", "kind": "problem", "body": "Nothing hostile yet."}],
        epics=[epic],
    )
    prds.prd_update(
        prd=prd,
        actor=actor,
        sections=[
            {"title": "Problem", "kind": "problem", "body": MARKDOWN},
            {"title": f"Goals {LINE}", "kind": "goals", "body": MARKDOWN},
        ],
        change_note=LINE,
    )
    requirement = prds.requirement_create(
        prd=prd, actor=actor, title=f"Requirement {LINE}", description=MARKDOWN, features=[feature], stories=[story]
    )
    option = {"title": f"Option {LINE}", "description": MARKDOWN, "pros": MARKDOWN, "cons": MARKDOWN}
    record = records.decision_create(
        product=product,
        actor=actor,
        title=f"Decision {LINE}",
        context=MARKDOWN,
        decision_drivers=MARKDOWN,
        outcome=MARKDOWN,
        consequences=MARKDOWN,
        confirmation=MARKDOWN,
        options=[option, {**option, "title": f"Other {LINE}"}],
        epics=[epic],
    )
    records.decision_choose_option(record=record, actor=actor, option=record.options.order_by("pk").first())
    signoff = signoffs.signoff_request(document=prd, actor=actor, approver=approver, role="engineering")
    signoffs.signoff_reject(signoff=signoff, actor=approver, comment=MARKDOWN)
    for target in (epic, feature, story, debt, item, prd, requirement, record):
        comment_create(workspace=workspace, target=target, author=actor, body=MARKDOWN)
    return {"epic": epic, "story": story, "prd": prd, "decision": record, "item": item}


@pytest.fixture
def poisoned(db) -> dict[str, Any]:
    call_command("seed_demo", stdout=StringIO())
    workspace = Workspace.objects.get(slug="acme-corp")
    demo_jira(workspace)
    product = Product.objects.filter(workspace=workspace).order_by("pk").first()
    actor = Membership.objects.filter(workspace=workspace, role=Role.ADMIN).order_by("pk").first().user
    approver = Membership.objects.filter(workspace=workspace).exclude(user=actor).order_by("pk").first().user
    made = poison_through_services(product=product, actor=actor, approver=approver)
    poison_everything_else()
    return {"workspace": workspace, "product": product, "actor": actor, **made}


def newest_rows_for(route: str, *, workspace: Workspace, product: Product) -> dict[str, Any] | None:
    """Keyword values naming the newest rows of the kinds the route names (ours), children under their parents."""
    values: dict[str, Any] = {}
    chosen: list[models.Model] = []
    for name in route_kwargs(route):
        if name == "product_id":
            values[name] = product.pk
            continue
        described = object_for_kwarg(name)
        assert described is not None, f"{route}: no model for {name!r} (core.ui.objects.URL_OBJECTS)"
        model = described.model_class()
        rows = described.rows_in(workspace_id=workspace.pk, product_id=product.pk)
        for parent in chosen:
            for field in model._meta.concrete_fields:
                if isinstance(field, ForeignKey) and field.related_model is type(parent):
                    rows = rows.filter(**{field.name: parent})
        row = rows.order_by("-pk").first()
        if row is None:
            return None
        values[name] = row.pk
        chosen.append(row)
    return values


def check_page(client: Client, url: str, problems: dict[str, list[str]], shown: list[str], **kwargs: Any) -> int:
    response = client.get(url, **kwargs)
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        found = inert_problems(html)
        if found:
            problems[url] = found
        if shows_payload(html):
            shown.append(url)
    return response.status_code


def test_the_corpus_renders_inert_on_every_browser_page(poisoned):
    # given
    workspace, product = poisoned["workspace"], poisoned["product"]
    client = Client()
    client.force_login(poisoned["actor"])
    routes = [route for route, _ in url_routes() if not route.startswith(("admin/", "api/", "jira/webhooks/"))]
    problems: dict[str, list[str]] = {}
    shown: list[str] = []
    statuses: dict[str, int] = {}
    # when: every page, as a full page and as the htmx fragment it may answer with
    for route in routes:
        values = newest_rows_for(route, workspace=workspace, product=product)
        if values is None:
            continue
        url = route_to_url(route, values)
        statuses[url] = check_page(client, url, problems, shown)
        check_page(client, url, problems, shown, HTTP_HX_REQUEST="true")
    # and: search results (highlighted snippets), a PRD diff, the Markdown preview
    prd = poisoned["prd"]
    versions = list(PRDVersion.objects.filter(prd=prd).order_by("number"))
    first, latest = versions[0], versions[-1]
    extra = [
        reverse("activity:search", args=[product.pk]) + "?q=window",
        reverse("activity:search", args=[product.pk]) + "?q=xss",
        route_to_url(
            next(route for route, _ in url_routes() if "from_version_id" in route),
            {"product_id": product.pk, "prd_id": prd.pk, "from_version_id": first.pk, "to_version_id": latest.pk},
        ),
    ]
    for url in extra:
        statuses[url] = check_page(client, url, problems, shown)
    preview = client.post(
        reverse("backlog:markdown_preview", args=[product.pk]), {"text": MARKDOWN}, HTTP_HX_REQUEST="true"
    )
    assert preview.status_code == 200
    assert inert_problems(preview.content.decode()) == []
    assert shows_payload(preview.content.decode())
    # then
    assert problems == {}
    assert [url for url, status in statuses.items() if status >= 500] == []
    pages_with_payload = set(shown)
    story, epic, decision, item = poisoned["story"], poisoned["epic"], poisoned["decision"], poisoned["item"]
    for must in (
        reverse("backlog:story_detail", args=[product.pk, story.pk]),
        reverse("backlog:epic_detail", args=[product.pk, epic.pk]),
        reverse("decisions:prd_detail", args=[product.pk, prd.pk]),
        reverse("decisions:decision_detail", args=[product.pk, decision.pk]),
        reverse("roadmap:item_detail", args=[product.pk, item.pk]),
        extra[0],
        extra[2],
    ):
        assert must in pages_with_payload, f"{must} does not show the corpus: the walk proves nothing there"
    assert len(pages_with_payload) >= 40


def test_the_corpus_renders_inert_in_the_admin(poisoned):
    # given: a superuser sees every admin page of every row
    actor = poisoned["actor"]
    actor.is_staff = actor.is_superuser = True
    actor.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(actor)
    problems: dict[str, list[str]] = {}
    shown: list[str] = []
    statuses: dict[str, int] = {}
    # when
    statuses["/admin/"] = check_page(client, "/admin/", problems, shown)
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        statuses[changelist] = check_page(client, changelist, problems, shown)
        statuses[changelist + "?q=xss"] = check_page(client, changelist + "?q=xss", problems, shown)
        row = model._default_manager.order_by("-pk").first()
        if row is None:
            continue
        for view in ("change", "history"):
            url = reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[row.pk])
            statuses[url] = check_page(client, url, problems, shown)
    for document in (poisoned["prd"], poisoned["decision"]):
        info = document._meta.app_label, document._meta.model_name
        for url in (reverse("admin:{}_{}_change".format(*info), args=[document.pk]),):
            statuses[url] = check_page(client, url, problems, shown)
    # then
    assert problems == {}
    assert [url for url, status in statuses.items() if status >= 500] == []
    assert reverse("admin:backlog_story_change", args=[poisoned["story"].pk]) in shown
    assert reverse("admin:decisions_decisionrecord_change", args=[poisoned["decision"].pk]) in shown
    assert len(shown) >= 20


def test_the_api_returns_the_text_as_json_never_as_a_page(poisoned, token_client):
    """The API renders no HTML: the corpus comes back as JSON strings, under nosniff, and no HTML renderer exists."""
    # given
    client = token_client(poisoned["actor"])
    story = poisoned["story"]
    # when
    response = client.get(f"/api/v1/stories/{story.pk}/")
    browsable = client.get(f"/api/v1/stories/{story.pk}/?format=api", HTTP_ACCEPT="text/html")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["description"].startswith(MARKDOWN)
    assert browsable.status_code == 404 or browsable["Content-Type"] == "application/json"
    assert not browsable.content.lstrip().startswith(b"<")


def test_the_checker_catches_what_it_must():
    """The inspection itself: each of these is live script, and each is reported."""
    for html in (
        "<script>x()</script>",
        '<script src="https://evil.example/x.js"></script>',
        '<img src="x" onerror="x()">',
        '<a href="  JaVa\tScript:x()">a</a>',
        '<a href="data:text/html,hi">a</a>',
        '<svg><a xlink:href="javascript:x()">a</a></svg>',
        '<iframe src="https://example.com"></iframe>',
        '<div style="background:url(javascript:x())">a</div>',
        '<meta http-equiv="refresh" content="0;url=/">',
        '<form><button formaction="javascript:x()">b</button></form>',
    ):
        assert inert_problems(html), html
    clean = '<p>&lt;script&gt;window.__xss=1&lt;/script&gt; <a href="https://example.com" rel="noopener">ok</a></p>'
    assert inert_problems(clean) == []
    assert inert_problems('<script src="/static/js/app.js" defer></script>') == []


# --- a real browser --------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_real_browser_nothing_of_the_corpus_runs(page, product, editor):
    # given: the corpus in a story, an epic, a PRD and a decision, written through the services
    epic = backlog.epic_create(product=product, actor=editor, title=f"Epic {LINE}", description=MARKDOWN)
    story = backlog.story_create(
        product=product, actor=editor, title=f"Story {LINE}", epic=epic, statement=MARKDOWN, description=MARKDOWN
    )
    prd = prds.prd_create(
        product=product, actor=editor, title=f"PRD {LINE}", sections=[{"title": "Problem", "body": MARKDOWN}]
    )
    record = records.decision_create(
        product=product,
        actor=editor,
        title=f"Decision {LINE}",
        context=MARKDOWN,
        options=[{"title": "A", "pros": MARKDOWN, "cons": MARKDOWN}],
    )
    comment_create(workspace=product.workspace, target=story, author=editor, body=MARKDOWN)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, editor.username)
    # when
    for url in (
        reverse("backlog:story_detail", args=[product.pk, story.pk]),
        reverse("backlog:epic_detail", args=[product.pk, epic.pk]),
        reverse("decisions:prd_detail", args=[product.pk, prd.pk]),
        reverse("decisions:decision_detail", args=[product.pk, record.pk]),
        reverse("activity:search", args=[product.pk]) + "?q=story",
    ):
        page.goto(url)
        page.wait_for_load_state("load")
        # then: the text is there to read, and nothing ran
        assert "window.__xss=1" in page.inner_text("main"), url
        assert page.evaluate("typeof window.__xss") == "undefined", url
        # Where each link and image would really lead, as the browser parsed it.
        protocols = page.eval_on_selector_all(
            "main a[href], main [src]", "nodes => nodes.map(n => new URL(n.href || n.src, location.href).protocol)"
        )
        assert {"javascript:", "data:", "vbscript:"} & set(protocols) == set(), url
    assert dialogs == []
    assert Story.objects.filter(pk=story.pk).exists() and Epic.objects.filter(pk=epic.pk).exists()
    assert PRD.objects.filter(pk=prd.pk).exists() and DecisionRecord.objects.filter(pk=record.pk).exists()
