"""Epic “Fraud and risk scoring”: its features and their stories (data only)."""

from __future__ import annotations

from ...specs import DEMO_USERNAME, HIGH, LOW, TODO, EpicSpec, FeatureSpec, story

EPIC = EpicSpec(
    "fraud",
    "Fraud and risk scoring",
    "Score every payment before authorisation; give risk analysts rules they own. See ADR-3.",
    TODO,
    DEMO_USERNAME,
    150,
    ("risk",),
    (
        FeatureSpec(
            "Real-time risk score",
            "A score for every payment before authorisation, within the latency budget.",
            TODO,
            "marco.rossi",
            (
                story(
                    "Score every payment in under 50 ms",
                    "As a risk analyst I want every payment scored before authorisation "
                    "so that risky payments can be stopped.",
                    "p99 scoring latency stays under 50 ms at 500 payments per second.",
                    "If scoring times out, the payment proceeds with the rules-only decision.",
                    pts=13,
                    pri=HIGH,
                    who="marco.rossi",
                    labels=("backend", "risk"),
                ),
                story(
                    "Device fingerprint signals",
                    "As a risk analyst I want device signals in the score "
                    "so that one device paying with many cards stands out.",
                    "The device id is hashed and never shared with third parties.",
                    pts=5,
                    labels=("backend", "risk", "privacy"),
                ),
                story(
                    "Velocity checks per card and e-mail",
                    "As a risk analyst I want the number of attempts per card and e-mail in the last hour "
                    "so that card-testing attacks are caught early.",
                    "Counters are kept for 1 hour, 24 hours and 7 days.",
                    pts=5,
                    pri=HIGH,
                    labels=("backend", "risk"),
                ),
                story(
                    "Shadow-mode scoring",
                    "As a risk analyst I want the model to score payments without acting on them for two weeks "
                    "so that we can compare it with the current rules.",
                    "Shadow scores are stored next to the rules decision for comparison.",
                    pts=3,
                    pri=HIGH,
                    labels=("data", "risk"),
                ),
            ),
        ),
        FeatureSpec(
            "Risk rules editor",
            "Risk analysts write, test and publish rules without a deploy.",
            TODO,
            None,
            (
                story(
                    "Create and edit risk rules",
                    "As a risk analyst I want to write rules such as “block if the card country differs from "
                    "the IP country and the amount is over €500” so that I react to new fraud patterns "
                    "without a deploy.",
                    "A rule is saved as a draft and published separately.",
                    pts=None,
                    labels=("frontend", "risk"),
                ),
                story(
                    "Test a rule against the last 30 days",
                    "As a risk analyst I want to see what a rule would have blocked last month "
                    "so that I avoid false positives before publishing it.",
                    "The result shows blocked count, blocked value and known-fraud hits.",
                    pts=None,
                    labels=("data", "risk"),
                ),
                story(
                    "Audit trail of rule changes",
                    "As a compliance officer I want every rule change recorded with who and when "
                    "so that decisions on disputed payments can be explained.",
                    "Each published version of a rule is kept and can be compared with the previous one.",
                    pts=3,
                    labels=("backend", "audit"),
                ),
            ),
        ),
        FeatureSpec(
            "Chargeback case management",
            "Disputes imported from the PSP, with evidence and deadlines.",
            TODO,
            None,
            (
                story(
                    "Import chargebacks from the PSP",
                    "As a disputes analyst I want chargebacks imported from the PSP every hour "
                    "so that I see them without logging in to another tool.",
                    "Each chargeback links to its payment and merchant.",
                    pts=5,
                    labels=("backend", "integrations"),
                ),
                story(
                    "Upload evidence for a dispute",
                    "As a disputes analyst I want to upload evidence files to a case "
                    "so that we can contest the chargeback in time.",
                    "PDF and image files up to 10 MB are accepted and sent to the PSP.",
                    pts=None,
                    pri=LOW,
                    labels=("frontend",),
                ),
                story(
                    "Dispute deadline reminders",
                    "As a disputes analyst I want a reminder three days before a dispute deadline "
                    "so that no case is lost by default.",
                    "Reminders go to the case owner, or to the team when nobody owns it.",
                    pts=2,
                    pri=LOW,
                    labels=("backend",),
                ),
            ),
        ),
    ),
    (
        story(
            "Spike: measure fraud vendors' latency",
            "As an architect I want the latency of two fraud-scoring vendors measured from our data centre "
            "so that ADR-3 rests on numbers.",
            "p50 and p99 latency over 10,000 sandbox calls per vendor.",
            pts=3,
            who="sofia.alvarez",
            labels=("research", "risk"),
        ),
    ),
)
