"""The demo workspace: Acme Corp's payments team planning its Payments Platform.

`seed_demo()` builds it once. Every row is written through the domain services, so
the demo obeys every rule the app enforces: item keys and ranks, PRD versions,
content hashes on sign-offs, the audit trail, stale sign-offs after an edit,
notifications. The only direct writes are on Django's own user model (there is
no service for people): the fictional team, and the demo login with its admin
permissions (`users`).

Idempotent by skipping: when a workspace with the slug `acme-corp` exists, no
demo content is created or changed; only the demo login is made sure to work.

Layout: `data/` holds the content, one module per subject (people, one module per
epic, tech debt, roadmaps, PRDs, decision records, comments), pure data in the shapes
of `specs`; `builder` turns it into rows through the services; `run` is the entry point.
"""

from .run import SeedResult, demo_summary, seed_demo
from .specs import DEMO_PASSWORD, DEMO_USERNAME, WORKSPACE_NAME, WORKSPACE_SLUG

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "WORKSPACE_NAME",
    "WORKSPACE_SLUG",
    "SeedResult",
    "demo_summary",
    "seed_demo",
]
