"""Small helpers the roadmap tests share."""

from django.db.backends.base.base import BaseDatabaseWrapper
from django.test.utils import CaptureQueriesContext

from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from decisions import services as decision_services
from decisions.models import PRD, DecisionRecord
from roadmap.models import Roadmap, RoadmapItem
from roadmap.tests.factories import RoadmapItemFactory

WRITES = ("INSERT", "UPDATE", "DELETE")


def data_changing(context: CaptureQueriesContext) -> list[str]:
    """The statements captured that change rows (savepoints and SELECT … FOR UPDATE excluded)."""
    return [q["sql"] for q in context.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


def query_count(connection: BaseDatabaseWrapper, func, *args, **kwargs) -> tuple[int, object]:
    """How many queries `func(*args, **kwargs)` runs, and what it returns."""
    with CaptureQueriesContext(connection) as context:
        result = func(*args, **kwargs)
    return len(context.captured_queries), result


def items_with_work(roadmap: Roadmap, count: int) -> list[RoadmapItem]:
    """`count` items, each linked to an epic with a story under a feature, one directly under it (one Done)."""
    product = roadmap.product
    done = product.statuses.get(name="Done")
    items = []
    for n in range(count):
        epic = EpicFactory(product=product)
        StoryFactory(feature=FeatureFactory(epic=epic), points=5)
        StoryFactory(epic=epic, points=None, status=done)
        items.append(RoadmapItemFactory(roadmap=roadmap, title=f"Item {n}", lane="now", epics=[epic]))
    return items


def approve(document: PRD | DecisionRecord, *, requester, approver) -> PRD | DecisionRecord:
    """Take a PRD to approved, or a decision record to accepted, through a real sign-off."""
    if isinstance(document, DecisionRecord):
        decision_services.decision_choose_option(
            record=document, actor=requester, option=document.options.order_by("position").first()
        )
    signoff = decision_services.signoff_request(
        document=document, actor=requester, approver=approver, role="leadership"
    )
    decision_services.signoff_approve(signoff=signoff, actor=approver)
    document.refresh_from_db()
    return document
