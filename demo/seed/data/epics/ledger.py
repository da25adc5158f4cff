"""Epic “Ledger platform migration”: its features and their stories (data only)."""

from __future__ import annotations

from ...specs import CURRENT, DOING, DONE, HIGH, HIGHEST, LOW, NEXT, REVIEW, TODO, EpicSpec, FeatureSpec, story

EPIC = EpicSpec(
    "ledger",
    "Ledger platform migration",
    "Move balances from the payments monolith to a double-entry ledger service (ADR-1).",
    DOING,
    "sofia.alvarez",
    160,
    ("platform",),
    (
        FeatureSpec(
            "Double-entry ledger service",
            "Accounts, balanced journal entries and balance snapshots on PostgreSQL.",
            REVIEW,
            "sofia.alvarez",
            (
                story(
                    "Ledger accounts and journal entries",
                    "As a finance engineer I want every balance held as ledger accounts with debits and credits "
                    "so that money is never created or lost.",
                    "Each journal entry's debits equal its credits, enforced by the database.",
                    "Balances are derived from entries, never edited by hand.",
                    pts=8,
                    pri=HIGHEST,
                    status=DONE,
                    who="marco.rossi",
                    labels=("backend", "platform"),
                ),
                story(
                    "Post journal entries through an idempotent API",
                    "As a payments engineer I want to post journal entries through an idempotent API "
                    "so that a retry never books twice.",
                    "A repeated idempotency key returns the original entry.",
                    "An unbalanced entry is refused with a 422 and the imbalance.",
                    pts=5,
                    pri=HIGHEST,
                    status=DONE,
                    who="jonas.berg",
                    labels=("backend", "api", "platform"),
                ),
                story(
                    "Balance snapshots for fast reads",
                    "As a payments engineer I want account balances read from snapshots "
                    "so that payouts get a balance in under 20 ms.",
                    "A snapshot plus the entries after it always equals the full sum.",
                    pts=5,
                    pri=HIGH,
                    status=DONE,
                    who="jonas.berg",
                    labels=("backend", "platform"),
                ),
                story(
                    "Load test the ledger at 2,000 entries per second",
                    "As an architect I want the ledger load-tested at 2,000 entries per second "
                    "so that we know it carries the Black Friday peak.",
                    "p99 posting latency under 50 ms for 30 minutes at 2,000 entries per second.",
                    "No lost or duplicated entries after the run.",
                    pts=3,
                    pri=HIGH,
                    status=REVIEW,
                    who="li.wei",
                    sprint=CURRENT,
                    labels=("qa", "performance"),
                ),
                story(
                    "Restrict who may post entries",
                    "As a security engineer I want only the payments service to post journal entries "
                    "so that no other service can move money.",
                    "Posting requires the payments service's mTLS identity.",
                    "Refused attempts are logged and alert security.",
                    pts=3,
                    pri=HIGHEST,
                    status=DONE,
                    who="omar.haddad",
                    labels=("security", "platform"),
                ),
            ),
        ),
        FeatureSpec(
            "Dual-write and shadow reads",
            "Write every payment to both systems and compare before the cut-over.",
            DOING,
            "marco.rossi",
            (
                story(
                    "Dual-write payments to the ledger",
                    "As an architect I want every payment written to both the monolith and the ledger "
                    "so that we can compare them before the cut-over.",
                    "A failed ledger write is queued and retried, never blocking the payment.",
                    "Dual-write can be switched off per merchant.",
                    pts=8,
                    pri=HIGH,
                    status=DOING,
                    who="marco.rossi",
                    sprint=CURRENT,
                    labels=("backend", "platform"),
                ),
                story(
                    "Nightly balance comparison",
                    "As a finance engineer I want a nightly comparison of monolith and ledger balances "
                    "so that any difference is found within a day.",
                    "Every difference is listed with the entries that explain it, or flagged unexplained.",
                    pts=5,
                    pri=HIGH,
                    who="jonas.berg",
                    sprint=NEXT,
                    labels=("backend", "platform", "finance"),
                ),
                story(
                    "Shadow reads behind a feature flag",
                    "As an architect I want balance reads served from the ledger for a few merchants "
                    "so that we find differences before everyone depends on it.",
                    "The flag can be turned on per merchant and off within a minute.",
                    pts=5,
                    labels=("backend", "platform"),
                ),
            ),
        ),
        FeatureSpec(
            "Cut-over and decommission",
            "Make the ledger the system of record and retire the monolith's balance tables.",
            TODO,
            "sofia.alvarez",
            (
                story(
                    "Cut-over runbook",
                    "As the on-call engineer I want a rehearsed cut-over runbook "
                    "so that switching the system of record takes under 30 minutes.",
                    "The runbook has been rehearsed twice on staging, with a rollback step.",
                    pts=3,
                    who="sofia.alvarez",
                    labels=("platform", "ops"),
                ),
                story(
                    "Freeze writes to the legacy balance tables",
                    "As an architect I want writes to the old balance tables refused after the cut-over "
                    "so that nobody updates the wrong system.",
                    "Any write attempt fails loudly and is reported.",
                    pts=None,
                    labels=("platform",),
                ),
                story(
                    "Archive the legacy balance tables",
                    "As a finance engineer I want the old balance tables archived read-only "
                    "so that audits can still read the history.",
                    "Archived data stays queryable for seven years.",
                    pts=2,
                    pri=LOW,
                    labels=("platform", "audit"),
                ),
            ),
        ),
    ),
)
