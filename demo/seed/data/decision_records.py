"""Decision records (MADR), their options, sign-offs and the edit that makes approvals stale."""

from __future__ import annotations

from decisions.models import Level, StakeholderRole

from ..specs import DEMO_USERNAME, DecisionSpec, option

DECISIONS = (
    DecisionSpec(
        "Build a double-entry ledger service on PostgreSQL",
        "sofia.alvarez",
        "Balances live in the payments monolith as columns updated in place. Finance spends about 120 hours a "
        "month reconciling them with the PSP's settlement files, and two incidents last year came from lost "
        "updates under concurrent writes. Payouts and multi-currency settlement both need a balance per "
        "merchant that we can trust and explain.",
        "Every movement of money is traceable and balanced\n"
        "No lost updates under concurrent writes\n"
        "Payouts read a balance in under 20 ms\n"
        "We can leave the monolith step by step\n"
        "Cost over three years",
        (
            option(
                "Build a ledger service on PostgreSQL",
                "A small service that owns accounts and journal entries; balances derived from entries, "
                "with snapshots for fast reads.",
                "Database constraints enforce balanced entries\nThe team already runs PostgreSQL at scale\n"
                "Money data stays in our infrastructure",
                "We build and operate a new tier-1 service\nSnapshots needed for fast balance reads",
                Level.MEDIUM,
                Level.MEDIUM,
            ),
            option(
                "Buy a ledger-as-a-service product",
                "A hosted ledger API from a specialised vendor.",
                "Fast start\nThe vendor handles scaling",
                "Money data leaves our infrastructure: new DPA and PCI review\n"
                "Per-entry pricing grows with volume (about €180k a year at forecast)\nLock-in on our core record",
                Level.HIGH,
                Level.MEDIUM,
            ),
            option(
                "Keep balances in the monolith and add reconciliation jobs",
                "Nightly jobs detect and repair differences.",
                "No migration\nCheapest this quarter",
                "Does not remove lost updates\nReconciliation effort stays\nBlocks automated payouts",
                Level.LOW,
                Level.HIGH,
            ),
        ),
        "Build a ledger service on PostgreSQL",
        "It is the only option that removes lost updates at the source while keeping money data in our own "
        "infrastructure, and its cost fits the platform team's budget.",
        "Good: every balance can be explained from its entries, and payouts can rely on it.\n"
        "Good: reconciliation becomes a report, not a monthly task.\n"
        "Bad: about six months of dual-write and shadow reads before the cut-over.\n"
        "Bad: the platform team owns a new tier-1 service with on-call.",
        "The nightly comparison shows no unexplained difference for 30 consecutive days before the cut-over, "
        "and the load test sustains 2,000 entries per second at p99 under 50 ms.",
        epics=("ledger",),
        roadmap_items=("Double-entry ledger service", "Automated payouts and reconciliation"),
        deciders=("sofia.alvarez", "priya.raman"),
        consulted=("marco.rossi", "jonas.berg", "omar.haddad"),
        informed=("helen.cho", DEMO_USERNAME),
        signoffs=(
            ("priya.raman", StakeholderRole.ENGINEERING),
            ("omar.haddad", StakeholderRole.SECURITY),
            ("helen.cho", StakeholderRole.LEADERSHIP),
        ),
        approve=("priya.raman", "omar.haddad", "helen.cho"),
    ),
    DecisionSpec(
        "Use the PSP's integrated 3DS2 server for SCA",
        DEMO_USERNAME,
        "PSD2 requires strong customer authentication for most EU card payments (see the PRD “Strong Customer "
        "Authentication (PSD2)”). We need a 3DS2 server that talks to the card schemes' directory servers. Our "
        "PSP offers one inside its payments API; specialised vendors sell standalone 3DS servers; or we could "
        "certify our own.",
        "Live before the acquirer's enforcement date\n"
        "High frictionless rate (rich device data, exemption support)\n"
        "No growth of our PCI DSS scope\n"
        "Changing PSP later stays possible",
        (
            option(
                "PSP-integrated 3DS2",
                "Authentication through the PSP's payments API, in the same call flow as authorisation.",
                "Live in weeks; already certified\nExemptions handled together with the authorisation\n"
                "No new vendor contract",
                "Ties authentication to this PSP\nLess control over the data sent to issuers",
                Level.LOW,
                Level.LOW,
            ),
            option(
                "Standalone 3DS server from a vendor",
                "A PSP-independent 3DS server; we pass its results to the PSP.",
                "Reusable if we add a second acquirer\nFine control over device data",
                "New vendor, contract and integration (about ten weeks)\n"
                "We must pass authentication results to the PSP ourselves",
                Level.MEDIUM,
                Level.MEDIUM,
            ),
            option(
                "Certify our own 3DS server",
                "Build on the EMVCo specification and certify.",
                "Full control",
                "EMVCo certification takes six to nine months\nMisses the enforcement date",
                Level.HIGH,
                Level.HIGH,
            ),
        ),
        "PSP-integrated 3DS2",
        "It is the only option that meets the enforcement date with time left for testing. The lock-in is "
        "acceptable: changing PSP is not planned in the next 18 months, and this record is reviewed if it is.",
        "Good: SCA ships in time with exemptions from day one.\n"
        "Bad: a PSP change later means redoing authentication.\n"
        "Bad: the frictionless rate depends on the PSP's device-data collection.",
        "Frictionless rate above 75% and authentication success above 92% on EU card payments in the first "
        "month, read from the authentication funnel dashboard.",
        epics=("sca",),
        roadmap_items=("3DS2 and SCA compliance",),
        prds=("Strong Customer Authentication (PSD2)",),
        deciders=(DEMO_USERNAME, "priya.raman"),
        consulted=("omar.haddad", "marco.rossi", "sofia.alvarez"),
        informed=("helen.cho",),
        signoffs=(("omar.haddad", StakeholderRole.SECURITY), ("helen.cho", StakeholderRole.LEADERSHIP)),
        approve=("omar.haddad",),
    ),
    DecisionSpec(
        "Start fraud scoring with an in-house rules engine",
        "marco.rossi",
        "Fraud losses rose to 9 basis points of volume last quarter; the goal is below 6. We want a score for "
        "every payment before authorisation. The candidates: a vendor's scoring API, an in-house machine-"
        "learning model, or a rules engine now with a model later.",
        "Scoring adds under 50 ms at p99 to authorisation\n"
        "Risk analysts change behaviour without a deploy\n"
        "Decisions can be explained in a dispute\n"
        "Cost per scored payment",
        (
            option(
                "Vendor fraud-scoring API",
                "Send each payment to a vendor and act on its score.",
                "Consortium data from many merchants\nMature models",
                "Adds 80–120 ms per call (vendor trial)\n€0.02 per scored payment\nScores are not explainable",
                Level.HIGH,
                Level.MEDIUM,
            ),
            option(
                "In-house machine-learning model",
                "Train and serve our own model.",
                "Tuned to our traffic\nNo per-call fee",
                "Only seven months of labelled data\nA feature store and model serving to build",
                Level.HIGH,
                Level.HIGH,
            ),
            option(
                "Rules engine now, model in shadow mode later",
                "Analyst-owned rules decide; a model scores in shadow mode until it proves itself.",
                "Analysts own the rules from day one\nExplainable by construction\nUnder 10 ms",
                "Rules catch known patterns only\nRules need care to avoid false positives",
                Level.LOW,
                Level.MEDIUM,
            ),
        ),
        "Rules engine now, model in shadow mode later",
        "Rules meet the latency budget and the explainability driver today; the shadow-mode model gives us "
        "the evidence for a later decision on machine learning.",
        "Good: analysts react to new fraud patterns the same day.\n"
        "Bad: we maintain the rules; novel fraud is caught later than a model would.",
        "Fraud losses below 6 bps for two consecutive months with a false-positive rate under 0.5%.",
        epics=("fraud",),
        roadmap_items=("Real-time fraud scoring",),
        deciders=("marco.rossi", "sofia.alvarez"),
        consulted=("omar.haddad", DEMO_USERNAME),
        informed=("helen.cho",),
        signoffs=(("sofia.alvarez", StakeholderRole.ARCHITECTURE), ("priya.raman", StakeholderRole.ENGINEERING)),
        approve=("sofia.alvarez",),
        edit={
            "consequences": (
                "Good: analysts react to new fraud patterns the same day.\n"
                "Bad: we maintain the rules; novel fraud is caught later than a model would.\n"
                "Bad: the model option is reviewed again once we have twelve months of labelled data."
            ),
            "confirmation": (
                "Fraud losses below 6 bps for two consecutive months with a false-positive rate under 0.5%, "
                "and p99 scoring latency under 10 ms on the payment path."
            ),
        },
    ),
)
