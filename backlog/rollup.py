"""Epic roll-up totals kept up to date by PostgreSQL, so that progress costs the same at 1k or 100k stories.

What is kept. `EpicStatusTotal` holds, per (epic, workflow status), the number of stories, their points
and how many are estimated: exactly what `SELECT … FROM backlog_story LEFT JOIN backlog_feature … GROUP BY
COALESCE(feature.epic_id, story.epic_id), story.status_id` would give, at every moment, in every transaction.
The done / not-done split is not stored: `epic_totals` joins the status and reads
its category, so a status moved to another category is right at once. A progress read is one indexed
query over ≤ (epics × statuses) rows (96 epics × 4 statuses on the seed_scale roadmap: 0.3 ms), instead
of reading every story of the epics through COALESCE(feature.epic_id, story.epic_id), which no index
serves (a parallel seq scan of the whole story table: 53 ms at 100,000 stories, growing with the backlog).

Who keeps it: statement-level AFTER triggers with transition tables (backlog/migrations/0005_epic_rollup.py)
- on backlog_story INSERT / UPDATE / DELETE: the statement's old rows count −1, its new rows +1, each under
  the epic it rolls up to *now* (its feature's current epic, or its own); the net deltas are upserted per
  (epic, status) and rows falling to zero stories are removed. An UPDATE that touches none of
  feature / epic / status / points (a rank move, a title edit, Django setting sprint_id to NULL) nets to
  zero and writes nothing;
- on backlog_feature INSERT / UPDATE / DELETE: a feature whose (id, epic) changed moves the stories that
  point at it *at that moment* from the old epic to the new one; a deleted feature takes its stories'
  counts away from its epic (a story whose feature row is gone rolls up to nothing, as in the live query:
  COALESCE(NULL, story.epic_id) is NULL because a story under a feature has no epic of its own —
  the story_under_epic_or_feature_not_both constraint).
Because the total is a pure function of the story and feature rows (no epic row is needed, the table has
no foreign keys), the order in which Django's collector deletes a product's epics, features and stories
(the foreign keys are deferred and Django, not the database, applies RESTRICT / CASCADE) does not matter:
a feature deleted before its stories subtracts them, the stories deleted after find no feature and
subtract nothing; stories deleted first subtract themselves, the feature then finds none. Epics need no
trigger: an epic with work cannot be deleted (RESTRICT), an empty one has no rows.

Concurrency. The story trigger takes FOR SHARE locks on the features its rows point at before mapping
them to epics, and every trigger query runs with a fresh READ COMMITTED snapshot, so a story written
while another transaction moves its feature to another epic is counted under the epic that wins: either
the story trigger waits for the feature move and sees the new epic, or the feature move waits for the
story transaction and then sees its story. Two transactions that touch the same (epic, status) serialise
on that total row until commit (a story edit holds it for milliseconds); a deadlock between two bulk
writes on the same epics is detected by PostgreSQL and one is retried by the caller, as for any row.

Why triggers, on evidence (tpm_bench, 2 cores; `bench/rollup_writes.py` measures the write side):
- Read side, the seed_scale product roadmap's 96 epics at 100,000 stories: the live query runs a parallel
  seq scan of every story (EXPLAIN ANALYZE 53 ms, growing with the backlog); the kept totals, one index
  scan of 384 rows joined to 12 statuses: 0.23 ms, the same at 1k, 10k or 100k stories.
- Django signals or service code: miss `queryset.update()`, `bulk_create` (seed_scale loads 100k stories
  that way), raw SQL and the admin's bulk actions; a missed write stays wrong for ever.
- A materialized view: exact only after REFRESH, and a refresh re-reads every story (≈ the 53 ms above,
  per write or per period).
- A denormalised `rollup_epic_id` column on story with an index: still reads every story of the epics
  (48,000 rows for that roadmap), so the read still grows with the backlog.
- Row-level triggers (measured as the alternative in bench/rollup_writes.py): about as cheap on a
  one-story edit, but one upsert per row on the same few total rows: a 5,000-story bulk status change
  cost +2.7 s over no trigger, against +0.5 s with statement-level triggers, which aggregate the statement
  first (one upsert per (epic, status) touched). Measured on a loaded machine (load average ≈ 10): a
  one-story write costs about 0.3–2.5 ms more than without triggers (a status change the most, a rank
  move or a title edit next to nothing, as their deltas net to zero before anything is written).
SQLite (`make run`): no triggers; `epic_progress` falls back to the live query, and this table stays empty.
`rollup_drift()` compares the table with a live recomputation (tests, and an operator's check).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from .models import Epic, StatusCategory, Story, WorkflowStatus


class EpicStatusTotal(models.Model):
    """Stories, points and estimated stories of one epic in one status; written by database triggers only."""

    pk = models.CompositePrimaryKey("epic_id", "status_id")
    # No database constraint and DO_NOTHING: the triggers own these rows, and a deleted epic's or status's
    # rows reach zero (and go) with its stories, whatever order Django deletes them in.
    epic = models.ForeignKey(Epic, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    status = models.ForeignKey(
        WorkflowStatus, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    stories_total = models.IntegerField(default=0)
    points_total = models.IntegerField(default=0)
    stories_estimated = models.IntegerField(default=0)

    class Meta:
        db_table = "backlog_epicstatustotal"
        verbose_name = "epic roll-up total"

    def __str__(self) -> str:
        return f"epic {self.epic_id} / status {self.status_id}: {self.stories_total} stories"


def rollup_is_maintained() -> bool:
    """Whether the database keeps EpicStatusTotal (PostgreSQL with the triggers of migration 0005)."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class EpicTotals:
    """What one epic holds, under its features or directly: stories and points, and how many are done."""

    stories: int = 0
    stories_done: int = 0
    points: int = 0
    points_done: int = 0
    stories_estimated: int = 0


def epic_totals(epic_ids: Sequence[int]) -> dict[int, EpicTotals]:
    """Totals per epic in one query; epics without stories are left out.

    On PostgreSQL it adds up the kept per-(epic, status) rows: at most epics × statuses of them, whatever
    the size of the backlog. Elsewhere (SQLite for `make run`) it sums the stories themselves.
    """
    ids = list(epic_ids)
    if not ids:
        return {}
    if not rollup_is_maintained():
        return epic_totals_live(ids)
    # The done / not-done split is read now, from the status's category, so that it is never stale.
    done = Q(status__category=StatusCategory.DONE)
    rows = (
        EpicStatusTotal.objects.filter(epic_id__in=ids)
        .values("epic_id")
        .annotate(
            n=Sum("stories_total"),
            n_done=Coalesce(Sum("stories_total", filter=done), 0),
            pts=Sum("points_total"),
            pts_done=Coalesce(Sum("points_total", filter=done), 0),
            estimated=Sum("stories_estimated"),
        )
        .order_by()
    )
    return {
        row["epic_id"]: EpicTotals(row["n"], row["n_done"], row["pts"], row["pts_done"], row["estimated"])
        for row in rows
        if row["n"]
    }


def epic_totals_live(epic_ids: Sequence[int]) -> dict[int, EpicTotals]:
    """epic_totals computed from every story of the epics: the fallback, and the reference in tests."""
    done = Q(status__category=StatusCategory.DONE)
    rows = (
        Story.objects.annotate(epic_ref=Coalesce("feature__epic_id", "epic_id"))
        .filter(epic_ref__in=list(epic_ids))
        .values("epic_ref")
        .annotate(
            n=Count("pk"),
            n_done=Count("pk", filter=done),
            pts=Coalesce(Sum("points"), 0),
            pts_done=Coalesce(Sum("points", filter=done), 0),
            estimated=Count("pk", filter=Q(points__isnull=False)),
        )
        .order_by()
    )
    return {
        row["epic_ref"]: EpicTotals(row["n"], row["n_done"], row["pts"], row["pts_done"], row["estimated"])
        for row in rows
    }


LIVE_TOTALS_SQL = """
    SELECT COALESCE(f.epic_id, s.epic_id) AS epic_id, s.status_id, count(*), COALESCE(sum(s.points), 0),
           count(s.points)
      FROM backlog_story s LEFT JOIN backlog_feature f ON f.id = s.feature_id
     WHERE COALESCE(f.epic_id, s.epic_id) IS NOT NULL
     GROUP BY 1, 2
"""


def live_totals() -> dict[tuple[int, int], tuple[int, int, int]]:
    """(epic, status) → (stories, points, estimated), recomputed from every story: what the table must hold."""
    with connection.cursor() as cursor:
        cursor.execute(LIVE_TOTALS_SQL)
        return {(epic, status): (n, points, estimated) for epic, status, n, points, estimated in cursor.fetchall()}


def kept_totals() -> dict[tuple[int, int], tuple[int, int, int]]:
    rows = EpicStatusTotal.objects.values_list(
        "epic_id", "status_id", "stories_total", "points_total", "stories_estimated"
    )
    return {(epic, status): (n, points, estimated) for epic, status, n, points, estimated in rows}


def rollup_drift() -> dict[tuple[int, int], tuple[tuple[int, int, int] | None, tuple[int, int, int] | None]]:
    """(epic, status) → (kept, live) wherever they differ; empty when the table is exact."""
    kept, live = kept_totals(), live_totals()
    return {key: (kept.get(key), live.get(key)) for key in kept.keys() | live.keys() if kept.get(key) != live.get(key)}
