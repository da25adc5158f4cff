"""What the decisions models share: the content hash sign-offs bind to, the roles a stakeholder signs
in, and the error an append-only row raises when changed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models


def content_hash(content: Any) -> str:
    """SHA-256 of canonical JSON: equal content, equal hash, whatever the key order."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class StakeholderRole(models.TextChoices):
    PRODUCT = "product", "Product"
    ENGINEERING = "engineering", "Engineering"
    ARCHITECTURE = "architecture", "Architecture"
    UX = "ux", "UX / design"
    QA = "qa", "Quality"
    SECURITY = "security", "Security"
    OPERATIONS = "operations", "Operations"
    LEADERSHIP = "leadership", "Leadership"


class ImmutableRowError(Exception):
    pass
