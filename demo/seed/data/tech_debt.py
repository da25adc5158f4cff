"""Tech debt the team carries knowingly."""

from __future__ import annotations

from backlog.models import TechDebtItem

from ..specs import NEXT, TechDebtSpec

TECH_DEBT = (
    TechDebtSpec(
        "PSP webhook retry logic copied into four services",
        "Each service retries PSP webhooks with its own back-off and its own bugs; two of them retry forever. "
        "Move to one shared, tested client.",
        TechDebtItem.Kind.CODE,
        TechDebtItem.Impact.MEDIUM,
        4,
        5,
        "payouts",
        "jonas.berg",
        schedule_into=NEXT,
    ),
    TechDebtSpec(
        "Monolith test suite takes 38 minutes",
        "The payments monolith's integration tests run serially against one database; every merge waits "
        "for them. Parallelise and split the slow PSP contract tests.",
        TechDebtItem.Kind.TESTS,
        TechDebtItem.Impact.HIGH,
        12,
        8,
        "ledger",
        "li.wei",
    ),
    TechDebtSpec(
        "TLS certificates for PSP connections renewed by hand",
        "Client certificates for the PSP's mTLS endpoints are renewed manually once a year; "
        "last year's renewal caused a 40-minute outage.",
        TechDebtItem.Kind.INFRASTRUCTURE,
        TechDebtItem.Impact.HIGH,
        2,
        3,
        None,
        "omar.haddad",
    ),
    TechDebtSpec(
        "Card vault client pinned to an unsupported SDK",
        "The PSP ends support for SDK 3.x in six months; we are on 3.4 because of a breaking change in "
        "token expiry callbacks.",
        TechDebtItem.Kind.DEPENDENCIES,
        TechDebtItem.Impact.CRITICAL,
        3,
        5,
        "checkout",
        "marco.rossi",
    ),
)
