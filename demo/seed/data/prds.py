"""The two PRDs: Checkout 2.0 and Strong Customer Authentication, and the edit that makes approvals stale."""

from __future__ import annotations

from decisions.models import SectionKind, StakeholderRole

from ..specs import COULD, DEMO_USERNAME, MUST, SHOULD, PRDSpec, RequirementSpec

CHECKOUT_PRD = PRDSpec(
    "Checkout 2.0",
    DEMO_USERNAME,
    ("checkout",),
    ("One-page checkout", "Apple Pay and Google Pay"),
    {
        SectionKind.PROBLEM: (
            "Checkout takes four pages and eleven fields on a phone. 68% of mobile shoppers who reach the "
            "payment step do not finish (last quarter's funnel). Saved cards shipped in v4.12, but only 22% of "
            "eligible sessions use them because the card picker sits on page three."
        ),
        SectionKind.GOALS: (
            "- Lift mobile checkout conversion from 32% to 35% by the end of next quarter.\n"
            "- Returning shoppers pay in two taps with a saved card or a wallet.\n"
            "- Every checkout screen meets WCAG 2.2 AA."
        ),
        SectionKind.NON_GOALS: (
            "- No change to basket or delivery-rate calculation.\n"
            "- No buy-now-pay-later methods in this release (tracked separately).\n"
            "- No redesign of the order confirmation e-mail."
        ),
        SectionKind.REQUIREMENTS: (
            "Tracked as requirement rows below (REQ keys) and traced to the backlog. In short: one page, "
            "saved cards and wallets first, accessible by default, local currency if time allows."
        ),
        SectionKind.SUCCESS_METRICS: (
            "- Mobile checkout conversion: 32% → 35% (primary)\n"
            "- Median time to pay: 94 s → 45 s\n"
            "- Returning-shopper payments with a saved card or wallet: 22% → 50%\n"
            "- Checkout JavaScript errors: below 2 per 1,000 sessions"
        ),
        SectionKind.UX: (
            "- Figma: https://www.figma.com/design/acme-checkout-2/Checkout-2.0 (mobile and desktop flows)\n"
            "- Prototype test: 8 of 10 participants paid in under a minute\n"
            "- Design tokens: the 2026 token set"
        ),
        SectionKind.OPEN_QUESTIONS: (
            "- Wallet buttons above or below the card form? The A/B test will tell.\n"
            "- Local currency display: which currency-conversion disclosures does PSD2 require?"
        ),
    },
    (
        RequirementSpec(
            "Shopper pays on a single page",
            "Contact, delivery and payment details are entered and submitted on one page.",
            MUST,
            features=("One-page checkout",),
        ),
        RequirementSpec(
            "Returning shoppers pay with a saved card in two taps",
            "Select a saved card, confirm the CVC, done.",
            MUST,
            features=("Saved cards",),
        ),
        RequirementSpec(
            "Apple Pay and Google Pay on supported devices",
            "Wallet buttons appear where the device and browser support them.",
            SHOULD,
            features=("Apple Pay and Google Pay",),
        ),
        RequirementSpec(
            "Checkout meets WCAG 2.2 AA",
            "Keyboard, screen reader, contrast and error handling meet WCAG 2.2 AA.",
            MUST,
            stories=("Keyboard and screen-reader accessible checkout", "Inline field validation"),
        ),
        RequirementSpec(
            "Show prices in the shopper's local currency",
            "Display the total in the shopper's currency with the conversion rate; charge in the merchant's.",
            COULD,
        ),
    ),
    (("nina.okafor", StakeholderRole.UX), ("sofia.alvarez", StakeholderRole.ARCHITECTURE)),
)

# The edit that makes the approvals on Checkout 2.0 stale.
CHECKOUT_PRD_EDIT = {
    SectionKind.SUCCESS_METRICS: (
        "- Mobile checkout conversion: 32% → 36% (primary; raised after the prototype test)\n"
        "- Median time to pay: 94 s → 45 s\n"
        "- Returning-shopper payments with a saved card or wallet: 22% → 50%\n"
        "- Checkout JavaScript errors: below 2 per 1,000 sessions"
    ),
}

SCA_PRD = PRDSpec(
    "Strong Customer Authentication (PSD2)",
    DEMO_USERNAME,
    ("sca",),
    ("3DS2 and SCA compliance",),
    {
        SectionKind.PROBLEM: (
            "Our acquirer will decline EU card payments that lack strong customer authentication or a valid "
            "exemption from the enforcement date. Today 41% of our EU card volume goes through with neither. "
            "Every declined payment is a lost sale and a support ticket."
        ),
        SectionKind.GOALS: (
            "- Every in-scope EU card payment is authenticated with 3DS2 or carries a valid exemption.\n"
            "- Keep the challenge rate under 25% of EU payments by using low-value and TRA exemptions.\n"
            "- Pass the acquirer's SCA readiness audit."
        ),
        SectionKind.NON_GOALS: (
            "- Authentication for non-card methods (SEPA direct debit; wallets authenticate themselves).\n"
            "- Markets outside the EEA and the UK."
        ),
        SectionKind.REQUIREMENTS: "Tracked as requirement rows below (REQ keys) and traced to the backlog.",
        SectionKind.SUCCESS_METRICS: (
            "- SCA-compliant share of EU card payments: 59% → 100%\n"
            "- Challenge rate: under 25%\n"
            "- Authentication success rate: above 92%\n"
            "- Conversion drop on EU card payments: under 1 point"
        ),
        SectionKind.UX: (
            "- Figma: https://www.figma.com/design/acme-sca/3DS2-challenge (challenge window, error states)\n"
            "- Decline messages reviewed with Legal"
        ),
        SectionKind.OPEN_QUESTIONS: (
            "- Does the PSP pass TRA exemptions through for every acquirer or only its own?\n"
            "- How long may we keep the device data collected for 3DS2 under GDPR?"
        ),
    },
    (
        RequirementSpec(
            "Authenticate in-scope EU card payments with 3DS2",
            "Send 3DS2 authentication requests with full device data; handle the challenge and its outcomes.",
            MUST,
            features=("3DS2 challenge flow",),
        ),
        RequirementSpec(
            "Apply low-value and TRA exemptions",
            "Ask for an exemption where the PSD2 RTS allows it, within our acquirer's fraud-rate threshold.",
            MUST,
            features=("SCA exemptions engine",),
        ),
        RequirementSpec(
            "Degrade gracefully when an issuer's 3DS server is down",
            "Retry once, then decline with a clear message or use an exemption where allowed.",
            SHOULD,
        ),
        RequirementSpec(
            "Report authentication outcomes per issuer",
            "Frictionless, challenge and failure rates per issuer and scheme.",
            SHOULD,
            features=("Authentication analytics",),
        ),
        RequirementSpec(
            "Keep an audit log of every SCA decision for five years",
            "Why each payment was challenged or exempted, kept unchangeable for five years.",
            MUST,
            stories=("Exemption decision log",),
        ),
    ),
    (
        ("omar.haddad", StakeholderRole.SECURITY),
        ("priya.raman", StakeholderRole.ENGINEERING),
        ("helen.cho", StakeholderRole.LEADERSHIP),
    ),
)
