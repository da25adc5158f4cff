"""PRDs, decision records and sign-offs in the admin.

Every change to signed content goes through decisions.services, as it does in the app: a PRD edit
publishes a new immutable version, and an edit to a document under review makes its sign-offs stale
and asks again. Accepted decision records are frozen (links and people may still change). Sign-offs,
their events and PRD versions are only shown here; review flags are cleared with an action.

forms           the change forms (stale saves refused) and what the modules share
inlines         sections, requirements, versions, options, participants, sign-offs and their events
prds            PRDs, their sections and versions, requirements
records         decision records, their options and participants
signoffs        sign-offs, sign-off events, review flags
signoff_views   a sign-off answered by the person asked; the sign-off audit page of a document
"""

from . import prds, records, signoffs  # noqa: F401 - importing a module registers its admins
