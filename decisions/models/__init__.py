"""PRDs (versioned, with traceable requirements), decision records, sign-offs and review flags.

base       the content hash, stakeholder roles, the append-only error
prds       PRDs, sections, versions, requirements
records    decision records, options, participants
signoffs   sign-offs and their events
reviews    review flags
"""

from .base import ImmutableRowError, StakeholderRole, content_hash
from .prds import PRD, PRDSection, PRDVersion, Requirement, SectionKind
from .records import DecisionOption, DecisionParticipant, DecisionRecord, Level
from .reviews import ReviewFlag, ReviewFlagQuerySet
from .signoffs import SignOff, SignOffEvent, SignOffQuerySet

__all__ = [
    "PRD",
    "DecisionOption",
    "DecisionParticipant",
    "DecisionRecord",
    "ImmutableRowError",
    "Level",
    "PRDSection",
    "PRDVersion",
    "Requirement",
    "ReviewFlag",
    "ReviewFlagQuerySet",
    "SectionKind",
    "SignOff",
    "SignOffEvent",
    "SignOffQuerySet",
    "StakeholderRole",
    "content_hash",
]
