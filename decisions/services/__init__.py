"""Every write on PRDs, decision records, sign-offs and review flags."""

from .impact import flags_raise, review_flag_clear
from .prds import (
    prd_content,
    prd_create,
    prd_delete,
    prd_update,
    prd_version_diff,
    requirement_create,
    requirement_delete,
    requirement_link,
    requirement_unlink,
    requirement_update,
)
from .records import (
    decision_amend,
    decision_choose_option,
    decision_create,
    decision_delete,
    decision_option_add,
    decision_option_remove,
    decision_option_update,
    decision_set_links,
    decision_set_participants,
    decision_supersede,
    decision_update,
)
from .reviews import current_hash, decision_content
from .signoffs import signoff_approve, signoff_reject, signoff_request, signoff_withdraw

__all__ = [
    "current_hash",
    "decision_amend",
    "decision_choose_option",
    "decision_content",
    "decision_create",
    "decision_delete",
    "decision_option_add",
    "decision_option_remove",
    "decision_option_update",
    "decision_set_links",
    "decision_set_participants",
    "decision_supersede",
    "decision_update",
    "flags_raise",
    "prd_content",
    "prd_create",
    "prd_delete",
    "prd_update",
    "prd_version_diff",
    "requirement_create",
    "requirement_delete",
    "requirement_link",
    "requirement_unlink",
    "requirement_update",
    "review_flag_clear",
    "signoff_approve",
    "signoff_reject",
    "signoff_request",
    "signoff_withdraw",
]
