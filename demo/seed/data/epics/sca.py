"""Epic “Strong Customer Authentication (3DS2)”: its features and their stories (data only)."""

from __future__ import annotations

from ...specs import CURRENT, DEMO_USERNAME, DOING, DONE, HIGH, HIGHEST, LOW, NEXT, TODO, EpicSpec, FeatureSpec, story

EPIC = EpicSpec(
    "sca",
    "Strong Customer Authentication (3DS2)",
    "PSD2 compliance for EU card payments: 3DS2 authentication, exemptions and reporting. "
    "See the PRD “Strong Customer Authentication (PSD2)” and ADR-2.",
    DOING,
    DEMO_USERNAME,
    45,
    ("compliance",),
    (
        FeatureSpec(
            "3DS2 challenge flow",
            "Authentication requests with full device data, the challenge window and its outcomes.",
            DOING,
            "marco.rossi",
            (
                story(
                    "Send 3DS2 authentication requests with device data",
                    "As an EU shopper I want my bank to recognise my device "
                    "so that most payments go through without a challenge.",
                    "Browser data (screen size, time zone, language, colour depth) is collected and sent.",
                    "The frictionless rate is logged per issuer.",
                    pts=5,
                    pri=HIGHEST,
                    status=DONE,
                    who="marco.rossi",
                    sprint=CURRENT,
                    labels=("backend", "compliance"),
                ),
                story(
                    "Challenge window in checkout",
                    "As an EU shopper I want my bank's challenge to open inside the checkout "
                    "so that I do not lose my basket.",
                    "The challenge renders in an iframe sized for mobile (390×400) and desktop (500×600).",
                    "The shopper returns to the same checkout after completing or cancelling the challenge.",
                    "After ten minutes without an answer the shopper is offered a retry.",
                    pts=8,
                    pri=HIGHEST,
                    status=DOING,
                    who="aisha.khan",
                    sprint=CURRENT,
                    labels=("frontend", "compliance"),
                ),
                story(
                    "Handle authentication results",
                    "As a shopper I want a clear message when my bank declines authentication "
                    "so that I know to try another card.",
                    "Authenticated, attempted, rejected and unavailable results each have a tested path.",
                    "A rejected authentication never reaches authorisation.",
                    pts=5,
                    pri=HIGH,
                    status=DONE,
                    who="marco.rossi",
                    sprint=CURRENT,
                    labels=("backend", "compliance"),
                ),
                story(
                    "3DS2 for saved-card payments",
                    "As a returning shopper I want my saved-card payments to pass SCA "
                    "so that they are not declined in the EU.",
                    "The first payment with a saved card is authenticated; later ones reuse the mandate.",
                    pts=3,
                    pri=HIGH,
                    who="jonas.berg",
                    sprint=CURRENT,
                    labels=("backend", "compliance"),
                ),
                story(
                    "3DS2 end-to-end tests in CI",
                    "As a QA engineer I want every 3DS2 path tested end to end on each merge "
                    "so that a release never breaks authentication.",
                    "Each PSP sandbox outcome (frictionless, challenge, rejected, unavailable) has a test.",
                    "The suite runs in under ten minutes.",
                    pts=5,
                    pri=HIGH,
                    status=DOING,
                    who="li.wei",
                    sprint=CURRENT,
                    labels=("qa",),
                ),
            ),
        ),
        FeatureSpec(
            "SCA exemptions engine",
            "Request low-value and transaction-risk-analysis exemptions where the rules allow.",
            TODO,
            "marco.rossi",
            (
                story(
                    "Low-value exemption",
                    "As a shopper buying something under €30 I want to pay without a challenge "
                    "so that small purchases stay quick.",
                    "The exemption is requested under €30 while the cumulative counters allow it.",
                    "Counters follow the RTS limits (five payments or €100 since the last authentication).",
                    pts=5,
                    pri=HIGH,
                    who="jonas.berg",
                    sprint=NEXT,
                    labels=("backend", "compliance"),
                ),
                story(
                    "Transaction risk analysis exemption",
                    "As a merchant I want low-risk payments to ask for a TRA exemption "
                    "so that fewer shoppers give up at the challenge.",
                    "The exemption is requested only under the fraud-rate threshold our acquirer reports.",
                    "Issuers may still force a challenge; that path is handled.",
                    pts=8,
                    pri=HIGH,
                    who="marco.rossi",
                    sprint=NEXT,
                    labels=("backend", "compliance", "risk"),
                ),
                story(
                    "Exemption decision log",
                    "As a compliance officer I want every exemption decision logged with its reason "
                    "so that we can show the regulator why a payment was not challenged.",
                    "Each entry holds payment id, exemption type, risk score, counters and outcome.",
                    "Entries are kept for five years and cannot be edited.",
                    pts=3,
                    who="omar.haddad",
                    sprint=NEXT,
                    labels=("backend", "compliance", "audit"),
                ),
                story(
                    "Flag merchant-initiated transactions",
                    "As a subscription merchant I want recurring charges flagged as merchant-initiated "
                    "so that they stay out of SCA scope.",
                    "Recurring charges reference the original authenticated payment.",
                    pts=None,
                    labels=("backend", "compliance"),
                ),
            ),
        ),
        FeatureSpec(
            "Authentication analytics",
            "Funnels, alerts and reports on 3DS2 outcomes per issuer.",
            TODO,
            "jonas.berg",
            (
                story(
                    "Authentication funnel dashboard",
                    "As a TPM I want frictionless, challenge and failure rates per issuer "
                    "so that I can spot the issuers that hurt conversion.",
                    "Rates are shown per issuer and card scheme for the last 1, 7 and 30 days.",
                    pts=5,
                    who="jonas.berg",
                    labels=("data",),
                ),
                story(
                    "Alert on issuer failure spikes",
                    "As the on-call engineer I want an alert when an issuer's authentication failure rate "
                    "doubles so that I can contact the PSP quickly.",
                    "The alert fires within 15 minutes and links to the funnel dashboard.",
                    pts=None,
                    labels=("observability",),
                ),
                story(
                    "Weekly SCA report for compliance",
                    "As a compliance officer I want a weekly SCA summary by e-mail "
                    "so that I do not need access to the dashboards.",
                    "The report lists compliant share, challenge rate and exemptions used.",
                    pts=2,
                    pri=LOW,
                    labels=("data", "compliance"),
                ),
            ),
        ),
    ),
    (
        story(
            "Spike: PSP sandbox cards for every 3DS2 outcome",
            "As a QA engineer I want the PSP sandbox test cards for every 3DS2 outcome listed "
            "so that each path gets an automated test.",
            "The list covers frictionless, challenge, rejected, attempted and unavailable.",
            pts=2,
            pri=HIGH,
            status=DONE,
            who="li.wei",
            sprint=CURRENT,
            labels=("qa",),
        ),
    ),
)
