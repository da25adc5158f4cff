"""The demo workspace: Acme Corp's payments team planning its Payments Platform.

`seed_demo()` builds it once. Every row is written through the domain services, so
the demo obeys every rule the app enforces: item keys and ranks, PRD versions,
content hashes on sign-offs, the audit trail, stale sign-offs after an edit,
notifications. The only direct writes are on Django's own user model (there is
no service for people): the fictional team, and the demo login with its admin
permissions.

Idempotent by skipping: when a workspace with the slug `acme-corp` exists, no
demo content is created or changed; only the demo login is made sure to work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone

from activity.services import comment_create
from backlog import services as backlog
from backlog.models import Epic, Feature, Priority, Sprint, Story, TechDebtItem, WorkflowStatus
from core.errors import ApplicationError
from decisions import services as decisions
from decisions.models import PRD, DecisionRecord, Level, Requirement, SectionKind, SignOff, StakeholderRole
from roadmap import services as roadmap
from roadmap.models import Confidence, Goal, Lane, Milestone, Roadmap, RoadmapItem
from workspaces.models import Product, Role, Workspace
from workspaces.services import member_add, workspace_create

WORKSPACE_NAME = "Acme Corp"
WORKSPACE_SLUG = "acme-corp"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-pass-2026"
# RFC 2606: a domain that can never receive mail.
EMAIL_DOMAIN = "acme.example"
# The demo login may use the admin for these apps; the admin's tenancy rules limit it to its workspace and role.
ADMIN_APPS = ("workspaces", "activity", "backlog", "roadmap", "decisions")

TODO, DOING, REVIEW, DONE = "To do", "In progress", "In review", "Done"
CURRENT, NEXT = "current", "next"


# --- People ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    role: str
    title: str

    @property
    def email(self) -> str:
        return f"{self.username}@{EMAIL_DOMAIN}"


PEOPLE = (
    Person("priya.raman", "Priya", "Raman", Role.ADMIN, "VP Engineering"),
    Person(DEMO_USERNAME, "Dana", "Morgan", Role.EDITOR, "Technical product manager"),
    Person("sofia.alvarez", "Sofia", "Alvarez", Role.CONTRIBUTOR, "Principal architect"),
    Person("marco.rossi", "Marco", "Rossi", Role.CONTRIBUTOR, "Senior backend engineer"),
    Person("jonas.berg", "Jonas", "Berg", Role.CONTRIBUTOR, "Backend engineer"),
    Person("aisha.khan", "Aisha", "Khan", Role.CONTRIBUTOR, "Frontend engineer"),
    Person("nina.okafor", "Nina", "Okafor", Role.CONTRIBUTOR, "Product designer (UX)"),
    Person("omar.haddad", "Omar", "Haddad", Role.CONTRIBUTOR, "Security engineer"),
    Person("li.wei", "Li", "Wei", Role.CONTRIBUTOR, "QA engineer"),
    Person("helen.cho", "Helen", "Cho", Role.VIEWER, "Director of Product"),
)
DEMO_PERSON = next(person for person in PEOPLE if person.username == DEMO_USERNAME)


# --- Backlog --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StorySpec:
    title: str
    statement: str
    criteria: tuple[str, ...]
    points: int | None
    priority: int
    status: str
    assignee: str | None
    sprint: str | None
    labels: tuple[str, ...]


def story(
    title: str,
    statement: str,
    *criteria: str,
    pts: int | None,
    pri: int = Priority.MEDIUM,
    status: str = TODO,
    who: str | None = None,
    sprint: str | None = None,
    labels: Sequence[str] = (),
) -> StorySpec:
    return StorySpec(title, statement, criteria, pts, pri, status, who, sprint, tuple(labels))


@dataclass(frozen=True)
class FeatureSpec:
    title: str
    description: str
    status: str
    owner: str | None
    stories: tuple[StorySpec, ...]


@dataclass(frozen=True)
class EpicSpec:
    code: str
    title: str
    description: str
    status: str
    owner: str
    target_in_days: int
    labels: tuple[str, ...]
    features: tuple[FeatureSpec, ...]
    stories: tuple[StorySpec, ...] = ()  # directly under the epic (spikes)


HIGHEST, HIGH, MEDIUM, LOW = Priority.HIGHEST, Priority.HIGH, Priority.MEDIUM, Priority.LOW

EPICS = (
    EpicSpec(
        "checkout",
        "Checkout 2.0",
        "Replace the four-page checkout with one page, saved cards and wallets first. See the PRD “Checkout 2.0”.",
        DOING,
        DEMO_USERNAME,
        60,
        ("conversion",),
        (
            FeatureSpec(
                "One-page checkout",
                "Contact, delivery and payment on a single responsive page.",
                DOING,
                "aisha.khan",
                (
                    story(
                        "Single-page checkout layout",
                        "As a shopper I want to enter my details and pay on one page "
                        "so that I finish my purchase without clicking through several steps.",
                        "Contact, delivery and payment fields render on one page on desktop and mobile.",
                        "What the shopper typed survives a page reload.",
                        "The page scores 90 or more for performance in Lighthouse on a mid-range phone.",
                        pts=8,
                        pri=HIGH,
                        status=DONE,
                        who="aisha.khan",
                        labels=("frontend",),
                    ),
                    story(
                        "Inline field validation",
                        "As a shopper I want mistakes shown next to the field as I type "
                        "so that I can fix them before I press Pay.",
                        "The card number is checked with the Luhn algorithm before submitting.",
                        "An expiry date in the past is refused with a message saying so.",
                        "Errors are announced to screen readers.",
                        pts=3,
                        status=DONE,
                        who="aisha.khan",
                        sprint=CURRENT,
                        labels=("frontend", "a11y"),
                    ),
                    story(
                        "Address autocomplete",
                        "As a shopper on my phone I want my address suggested as I type so that I type less.",
                        "Suggestions appear after three characters, within 300 ms.",
                        "Manual entry stays possible when no suggestion fits.",
                        pts=5,
                        pri=LOW,
                        status=REVIEW,
                        who="jonas.berg",
                        sprint=CURRENT,
                        labels=("frontend", "api"),
                    ),
                    story(
                        "Keyboard and screen-reader accessible checkout",
                        "As a shopper using a screen reader I want every checkout control labelled and reachable "
                        "by keyboard so that I can pay without help.",
                        "Every control is reachable with Tab in visual order.",
                        "axe-core reports no serious or critical violations.",
                        "After a failed submit, focus moves to the first field in error.",
                        pts=5,
                        pri=HIGH,
                        status=DOING,
                        who="aisha.khan",
                        sprint=CURRENT,
                        labels=("frontend", "a11y"),
                    ),
                    story(
                        "Checkout error tracking",
                        "As a TPM I want checkout front-end errors reported with browser and step "
                        "so that we fix first what blocks the most shoppers.",
                        "Errors carry the checkout step, browser and release version.",
                        "No card data or personal data is sent with an error report.",
                        pts=2,
                        status=DONE,
                        who="aisha.khan",
                        labels=("frontend", "observability"),
                    ),
                ),
            ),
            FeatureSpec(
                "Saved cards",
                "Returning shoppers pay with a card tokenised in the PSP's vault. Shipped in v4.12.",
                DONE,
                "marco.rossi",
                (
                    story(
                        "Save a card at checkout",
                        "As a returning shopper I want to save my card when I pay so that I do not type it again.",
                        "Saving needs an explicit opt-in checkbox, unticked by default.",
                        "Only the PSP token, brand, expiry and last four digits are stored.",
                        pts=5,
                        pri=HIGH,
                        status=DONE,
                        who="marco.rossi",
                        labels=("backend", "pci"),
                    ),
                    story(
                        "Pay with a saved card",
                        "As a returning shopper I want to pick a saved card and confirm with its CVC "
                        "so that I pay in two taps.",
                        "Saved cards are listed with brand, last four digits and expiry.",
                        "An expired card is shown but cannot be selected.",
                        pts=3,
                        pri=HIGH,
                        status=DONE,
                        who="aisha.khan",
                        labels=("frontend",),
                    ),
                    story(
                        "Manage saved cards",
                        "As a shopper I want to see and delete my saved cards so that I stay in control of my data.",
                        "Deleting a card removes the token at the PSP as well.",
                        "The shopper confirms before a card is deleted.",
                        pts=3,
                        status=DONE,
                        who="aisha.khan",
                        labels=("frontend", "privacy"),
                    ),
                    story(
                        "Card expiry reminders",
                        "As a returning shopper I want to be told before a saved card expires "
                        "so that my next payment does not fail.",
                        "An e-mail goes out 30 days before expiry, once per card.",
                        pts=2,
                        pri=LOW,
                        labels=("backend",),
                    ),
                ),
            ),
            FeatureSpec(
                "Apple Pay and Google Pay",
                "Wallet buttons at the top of checkout on supported devices.",
                TODO,
                "aisha.khan",
                (
                    story(
                        "Apple Pay button on checkout",
                        "As an iPhone shopper I want to pay with Apple Pay so that I confirm with Face ID "
                        "instead of typing card details.",
                        "The button shows only on devices and browsers that support Apple Pay.",
                        "The merchant domain verification file is served from our domain.",
                        "A cancelled Apple Pay sheet returns the shopper to checkout with the basket intact.",
                        pts=8,
                        pri=HIGH,
                        who="aisha.khan",
                        sprint=NEXT,
                        labels=("frontend", "wallets"),
                    ),
                    story(
                        "Google Pay button on checkout",
                        "As an Android shopper I want to pay with Google Pay so that I do not type my card number.",
                        "The button shows only when the Google Pay API reports the shopper can pay.",
                        "Payments use the PSP's gateway tokenisation, never raw card data.",
                        pts=5,
                        pri=HIGH,
                        who="jonas.berg",
                        sprint=NEXT,
                        labels=("frontend", "wallets"),
                    ),
                    story(
                        "Wallet payments in the settlement report",
                        "As a finance analyst I want wallet payments labelled in the settlement report "
                        "so that I reconcile them like card payments.",
                        "The report has a payment-method column with apple_pay and google_pay values.",
                        pts=3,
                        labels=("backend", "finance"),
                    ),
                ),
            ),
        ),
        (
            story(
                "Spike: A/B test the new checkout",
                "As a TPM I want the new checkout served to 10% of traffic next to the old one "
                "so that we measure conversion before the full roll-out.",
                "Assignment is sticky per shopper for the length of the test.",
                "Conversion per variant is visible on the experiment dashboard.",
                pts=3,
                pri=HIGH,
                status=DONE,
                who="jonas.berg",
                labels=("experiment",),
            ),
        ),
    ),
    EpicSpec(
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
    ),
    EpicSpec(
        "payouts",
        "Payouts and reconciliation",
        "Pay merchants on a schedule from ledger balances and give finance a report that reconciles to the cent.",
        TODO,
        DEMO_USERNAME,
        90,
        ("finance",),
        (
            FeatureSpec(
                "Scheduled payouts",
                "Daily, weekly or monthly payouts of the settled balance.",
                TODO,
                "jonas.berg",
                (
                    story(
                        "Daily payout schedule",
                        "As a merchant I want my balance paid out every working day so that my cash flow is "
                        "predictable.",
                        "A payout is created at 06:00 merchant local time for the settled balance.",
                        "Bank holidays in the merchant's country are skipped.",
                        pts=8,
                        pri=HIGH,
                        who="jonas.berg",
                        labels=("backend",),
                    ),
                    story(
                        "Weekly and monthly schedules",
                        "As a merchant I want to choose weekly or monthly payouts "
                        "so that fewer transfers appear on my bank statement.",
                        "Changing the schedule takes effect from the next payout.",
                        pts=3,
                        labels=("backend",),
                    ),
                    story(
                        "Minimum payout threshold",
                        "As a merchant I want payouts held until my balance reaches a minimum "
                        "so that I avoid transfer fees on tiny amounts.",
                        "Balances under the threshold roll over to the next payout date.",
                        pts=2,
                        pri=LOW,
                        labels=("backend",),
                    ),
                    story(
                        "Payout notification e-mail",
                        "As a merchant I want an e-mail when a payout is sent so that I know when to expect money.",
                        "The e-mail shows amount, currency, bank account (masked) and expected arrival.",
                        pts=None,
                        pri=LOW,
                        labels=("backend",),
                    ),
                ),
            ),
            FeatureSpec(
                "Reconciliation report",
                "Daily settlement reports finance can import into the ERP.",
                TODO,
                "marco.rossi",
                (
                    story(
                        "Settlement report as CSV",
                        "As a finance analyst I want a daily settlement report as CSV "
                        "so that I can match payouts to transactions in our ERP.",
                        "One row per transaction with gross, fees, net and payout id.",
                        "The totals match the payout amount to the cent.",
                        pts=5,
                        pri=HIGH,
                        who="marco.rossi",
                        sprint=NEXT,
                        labels=("backend", "finance"),
                    ),
                    story(
                        "Deliver reports over SFTP",
                        "As a finance analyst I want reports dropped on our SFTP server "
                        "so that the ERP import runs unattended.",
                        "Delivery is retried for 24 hours and failures alert finance operations.",
                        pts=5,
                        labels=("backend", "integrations"),
                    ),
                    story(
                        "Fee breakdown per transaction",
                        "As a finance analyst I want interchange, scheme and processing fees per transaction "
                        "so that I can check the PSP's invoice.",
                        "Fee columns add up to the total fee of the transaction.",
                        pts=3,
                        labels=("backend", "finance"),
                    ),
                ),
            ),
            FeatureSpec(
                "Payout failure handling",
                "Failed payouts are retried, explained and visible to operations.",
                TODO,
                None,
                (
                    story(
                        "Retry failed payouts",
                        "As a merchant I want a failed payout retried automatically after I fix my bank details "
                        "so that I get paid without contacting support.",
                        "The retry happens within one working day of the change.",
                        pts=5,
                        pri=HIGH,
                        labels=("backend",),
                    ),
                    story(
                        "Verify bank accounts before the first payout",
                        "As a merchant I want my new bank account verified before the first payout "
                        "so that money is not sent to a mistyped IBAN.",
                        "The IBAN checksum and account holder name are verified with the bank's service.",
                        pts=8,
                        pri=HIGH,
                        labels=("backend", "risk"),
                    ),
                    story(
                        "Operations view of stuck payouts",
                        "As a payments operations analyst I want a list of payouts stuck for more than a day "
                        "so that I can act before the merchant calls.",
                        "The list shows merchant, amount, failure reason and age.",
                        pts=3,
                        labels=("backend", "ops"),
                    ),
                ),
            ),
        ),
        (
            story(
                "Spike: instant payout rails in the UK and EU",
                "As a TPM I want the cost and coverage of Faster Payments and SEPA Instant compared "
                "so that we can decide whether to offer instant payouts.",
                "A one-page comparison of fees, limits and bank coverage.",
                pts=3,
                who="sofia.alvarez",
                labels=("research",),
            ),
        ),
    ),
    EpicSpec(
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
    ),
    EpicSpec(
        "ledger",
        "Ledger platform migration",
        "Move balances from the payments monolith to a double-entry ledger service (ADR-1).",
        DOING,
        "sofia.alvarez",
        160,
        ("platform",),
        (
            FeatureSpec(
                "Double-entry ledger service",
                "Accounts, balanced journal entries and balance snapshots on PostgreSQL.",
                REVIEW,
                "sofia.alvarez",
                (
                    story(
                        "Ledger accounts and journal entries",
                        "As a finance engineer I want every balance held as ledger accounts with debits and credits "
                        "so that money is never created or lost.",
                        "Each journal entry's debits equal its credits, enforced by the database.",
                        "Balances are derived from entries, never edited by hand.",
                        pts=8,
                        pri=HIGHEST,
                        status=DONE,
                        who="marco.rossi",
                        labels=("backend", "platform"),
                    ),
                    story(
                        "Post journal entries through an idempotent API",
                        "As a payments engineer I want to post journal entries through an idempotent API "
                        "so that a retry never books twice.",
                        "A repeated idempotency key returns the original entry.",
                        "An unbalanced entry is refused with a 422 and the imbalance.",
                        pts=5,
                        pri=HIGHEST,
                        status=DONE,
                        who="jonas.berg",
                        labels=("backend", "api", "platform"),
                    ),
                    story(
                        "Balance snapshots for fast reads",
                        "As a payments engineer I want account balances read from snapshots "
                        "so that payouts get a balance in under 20 ms.",
                        "A snapshot plus the entries after it always equals the full sum.",
                        pts=5,
                        pri=HIGH,
                        status=DONE,
                        who="jonas.berg",
                        labels=("backend", "platform"),
                    ),
                    story(
                        "Load test the ledger at 2,000 entries per second",
                        "As an architect I want the ledger load-tested at 2,000 entries per second "
                        "so that we know it carries the Black Friday peak.",
                        "p99 posting latency under 50 ms for 30 minutes at 2,000 entries per second.",
                        "No lost or duplicated entries after the run.",
                        pts=3,
                        pri=HIGH,
                        status=REVIEW,
                        who="li.wei",
                        sprint=CURRENT,
                        labels=("qa", "performance"),
                    ),
                    story(
                        "Restrict who may post entries",
                        "As a security engineer I want only the payments service to post journal entries "
                        "so that no other service can move money.",
                        "Posting requires the payments service's mTLS identity.",
                        "Refused attempts are logged and alert security.",
                        pts=3,
                        pri=HIGHEST,
                        status=DONE,
                        who="omar.haddad",
                        labels=("security", "platform"),
                    ),
                ),
            ),
            FeatureSpec(
                "Dual-write and shadow reads",
                "Write every payment to both systems and compare before the cut-over.",
                DOING,
                "marco.rossi",
                (
                    story(
                        "Dual-write payments to the ledger",
                        "As an architect I want every payment written to both the monolith and the ledger "
                        "so that we can compare them before the cut-over.",
                        "A failed ledger write is queued and retried, never blocking the payment.",
                        "Dual-write can be switched off per merchant.",
                        pts=8,
                        pri=HIGH,
                        status=DOING,
                        who="marco.rossi",
                        sprint=CURRENT,
                        labels=("backend", "platform"),
                    ),
                    story(
                        "Nightly balance comparison",
                        "As a finance engineer I want a nightly comparison of monolith and ledger balances "
                        "so that any difference is found within a day.",
                        "Every difference is listed with the entries that explain it, or flagged unexplained.",
                        pts=5,
                        pri=HIGH,
                        who="jonas.berg",
                        sprint=NEXT,
                        labels=("backend", "platform", "finance"),
                    ),
                    story(
                        "Shadow reads behind a feature flag",
                        "As an architect I want balance reads served from the ledger for a few merchants "
                        "so that we find differences before everyone depends on it.",
                        "The flag can be turned on per merchant and off within a minute.",
                        pts=5,
                        labels=("backend", "platform"),
                    ),
                ),
            ),
            FeatureSpec(
                "Cut-over and decommission",
                "Make the ledger the system of record and retire the monolith's balance tables.",
                TODO,
                "sofia.alvarez",
                (
                    story(
                        "Cut-over runbook",
                        "As the on-call engineer I want a rehearsed cut-over runbook "
                        "so that switching the system of record takes under 30 minutes.",
                        "The runbook has been rehearsed twice on staging, with a rollback step.",
                        pts=3,
                        who="sofia.alvarez",
                        labels=("platform", "ops"),
                    ),
                    story(
                        "Freeze writes to the legacy balance tables",
                        "As an architect I want writes to the old balance tables refused after the cut-over "
                        "so that nobody updates the wrong system.",
                        "Any write attempt fails loudly and is reported.",
                        pts=None,
                        labels=("platform",),
                    ),
                    story(
                        "Archive the legacy balance tables",
                        "As a finance engineer I want the old balance tables archived read-only "
                        "so that audits can still read the history.",
                        "Archived data stays queryable for seven years.",
                        pts=2,
                        pri=LOW,
                        labels=("platform", "audit"),
                    ),
                ),
            ),
        ),
    ),
)


@dataclass(frozen=True)
class TechDebtSpec:
    title: str
    description: str
    kind: str
    impact: str
    cost_of_delay: int
    remediation_points: int
    epic: str | None
    owner: str
    schedule_into: str | None = None


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


# --- Roadmaps -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    roadmap: str  # "product" or "technology"
    title: str
    description: str
    lane: str
    status: str
    start: int  # days from today
    end: int
    confidence: str
    owner: str
    epics: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    milestone: str | None = None


MILESTONES = (
    ("v4.12 — Saved cards", Milestone.Kind.RELEASE, -24, "Saved cards for returning shoppers."),
    ("SCA enforcement by our acquirer", Milestone.Kind.MILESTONE, 45, "Non-compliant EU card payments declined."),
    ("v4.14 — Checkout 2.0 GA", Milestone.Kind.RELEASE, 60, "One-page checkout and wallets for everyone."),
    ("Ledger becomes system of record", Milestone.Kind.MILESTONE, 150, "Cut-over from the monolith's balances."),
)

GOALS = (
    (
        "Lift mobile checkout conversion",
        "Fewer steps and faster payment methods for shoppers on phones.",
        "Mobile checkout conversion",
        "32% → 35% by the end of next quarter",
        100,
    ),
    (
        "Pass the PSD2 SCA readiness audit",
        "Every in-scope EU card payment authenticated or validly exempted.",
        "SCA-compliant share of EU card payments",
        "100% before the enforcement date",
        45,
    ),
    (
        "Cut reconciliation effort",
        "Finance matches payouts with a report, not a spreadsheet.",
        "Finance hours per month on reconciliation",
        "120 h → 30 h",
        180,
    ),
    (
        "Reduce fraud losses",
        "Stop fraud before authorisation without hurting good shoppers.",
        "Fraud losses in basis points of volume",
        "9 bps → below 6 bps",
        240,
    ),
)

ROADMAPS = (
    ("product", "Payments product roadmap", Roadmap.Kind.PRODUCT, DEMO_USERNAME, "What shoppers and merchants get."),
    (
        "technology",
        "Payments technology roadmap",
        Roadmap.Kind.TECHNOLOGY,
        "sofia.alvarez",
        "The platform work that the product roadmap rests on.",
    ),
)

ON, RISK, OFF = Confidence.ON_TRACK, Confidence.AT_RISK, Confidence.OFF_TRACK
PLANNED, IN_PROGRESS, SHIPPED = RoadmapItem.Status.PLANNED, RoadmapItem.Status.IN_PROGRESS, RoadmapItem.Status.DONE

ROADMAP_ITEMS = (
    ItemSpec(
        roadmap="product",
        title="Saved cards",
        description="Returning shoppers pay with a saved card.",
        lane=Lane.NOW,
        status=SHIPPED,
        start=-75,
        end=-24,
        confidence=ON,
        owner=DEMO_USERNAME,
        epics=("checkout",),
        goals=("Lift mobile checkout conversion",),
        milestone="v4.12 — Saved cards",
    ),
    ItemSpec(
        roadmap="product",
        title="One-page checkout",
        description="Contact, delivery and payment on one page.",
        lane=Lane.NOW,
        status=IN_PROGRESS,
        start=-30,
        end=40,
        confidence=ON,
        owner=DEMO_USERNAME,
        epics=("checkout",),
        goals=("Lift mobile checkout conversion",),
        milestone="v4.14 — Checkout 2.0 GA",
    ),
    ItemSpec(
        roadmap="product",
        title="3DS2 and SCA compliance",
        description="Authenticate EU card payments with 3DS2, use exemptions, report outcomes.",
        lane=Lane.NOW,
        status=IN_PROGRESS,
        start=-20,
        end=40,
        confidence=RISK,
        owner=DEMO_USERNAME,
        epics=("sca",),
        goals=("Pass the PSD2 SCA readiness audit",),
        milestone="SCA enforcement by our acquirer",
    ),
    ItemSpec(
        roadmap="product",
        title="Apple Pay and Google Pay",
        description="Wallet buttons on checkout for supported devices.",
        lane=Lane.NEXT,
        status=PLANNED,
        start=30,
        end=60,
        confidence=ON,
        owner="aisha.khan",
        epics=("checkout",),
        goals=("Lift mobile checkout conversion",),
        milestone="v4.14 — Checkout 2.0 GA",
    ),
    ItemSpec(
        roadmap="product",
        title="Automated payouts and reconciliation",
        description="Scheduled payouts from ledger balances and a daily settlement report.",
        lane=Lane.NEXT,
        status=PLANNED,
        start=25,
        end=90,
        confidence=ON,
        owner="jonas.berg",
        epics=("payouts",),
        goals=("Cut reconciliation effort",),
    ),
    ItemSpec(
        roadmap="product",
        title="Real-time fraud scoring",
        description="Rules-based score before authorisation; model in shadow mode.",
        lane=Lane.NEXT,
        status=PLANNED,
        start=45,
        end=120,
        confidence=RISK,
        owner="marco.rossi",
        epics=("fraud",),
        goals=("Reduce fraud losses",),
    ),
    ItemSpec(
        roadmap="product",
        title="Chargeback workspace for operations",
        description="Disputes, evidence and deadlines in one place.",
        lane=Lane.LATER,
        status=PLANNED,
        start=120,
        end=180,
        confidence=ON,
        owner=DEMO_USERNAME,
        epics=("fraud",),
    ),
    ItemSpec(
        roadmap="product",
        title="Multi-currency settlement",
        description="Settle merchants in their own currency. Not broken down into epics yet.",
        lane=Lane.LATER,
        status=PLANNED,
        start=150,
        end=240,
        confidence=RISK,
        owner=DEMO_USERNAME,
    ),
    ItemSpec(
        roadmap="technology",
        title="Double-entry ledger service",
        description="Accounts, balanced entries and snapshots on PostgreSQL (ADR-1).",
        lane=Lane.NOW,
        status=IN_PROGRESS,
        start=-60,
        end=20,
        confidence=ON,
        owner="sofia.alvarez",
        epics=("ledger",),
        goals=("Cut reconciliation effort",),
    ),
    ItemSpec(
        roadmap="technology",
        title="Dual-write and shadow reads",
        description="Every payment written to both systems; balances compared nightly.",
        lane=Lane.NEXT,
        status=PLANNED,
        start=14,
        end=70,
        confidence=ON,
        owner="marco.rossi",
        epics=("ledger",),
    ),
    ItemSpec(
        roadmap="technology",
        title="Monolith cut-over and decommission",
        description="The ledger becomes the system of record; legacy balance tables archived.",
        lane=Lane.LATER,
        status=PLANNED,
        start=90,
        end=160,
        confidence=ON,
        owner="sofia.alvarez",
        epics=("ledger",),
        milestone="Ledger becomes system of record",
    ),
    ItemSpec(
        roadmap="technology",
        title="Event streaming backbone",
        description="Publish payment and ledger events for analytics and risk instead of nightly exports.",
        lane=Lane.LATER,
        status=PLANNED,
        start=120,
        end=200,
        confidence=OFF,
        owner="sofia.alvarez",
    ),
)

# (blocker, blocked, note): `blocked` cannot finish before `blocker`.
DEPENDENCIES = (
    ("Double-entry ledger service", "Automated payouts and reconciliation", "Payouts read ledger balances."),
    ("One-page checkout", "Apple Pay and Google Pay", "Wallet buttons sit on the new checkout page."),
    ("Dual-write and shadow reads", "Monolith cut-over and decommission", "30 clean nightly comparisons first."),
)


# --- PRDs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementSpec:
    title: str
    description: str
    priority: str
    features: tuple[str, ...] = ()
    stories: tuple[str, ...] = ()


@dataclass(frozen=True)
class PRDSpec:
    title: str
    owner: str
    epics: tuple[str, ...]
    roadmap_items: tuple[str, ...]
    sections: dict[str, str]  # body per section kind, in the standard order
    requirements: tuple[RequirementSpec, ...]
    # (approver, stakeholder role)
    signoffs: tuple[tuple[str, str], ...] = ()


SECTION_TITLES = (
    (SectionKind.PROBLEM, "Problem"),
    (SectionKind.GOALS, "Goals"),
    (SectionKind.NON_GOALS, "Non-goals"),
    (SectionKind.REQUIREMENTS, "Requirements"),
    (SectionKind.SUCCESS_METRICS, "Success metrics"),
    (SectionKind.UX, "UX and design links"),
    (SectionKind.OPEN_QUESTIONS, "Open questions"),
)

MUST, SHOULD, COULD = Requirement.Priority.MUST, Requirement.Priority.SHOULD, Requirement.Priority.COULD

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


# --- Decision records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionSpec:
    title: str
    owner: str
    context: str
    decision_drivers: str
    options: tuple[dict[str, str], ...]
    chosen: str
    outcome: str
    consequences: str
    confirmation: str
    epics: tuple[str, ...] = ()
    roadmap_items: tuple[str, ...] = ()
    prds: tuple[str, ...] = ()
    deciders: tuple[str, ...] = ()
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    signoffs: tuple[tuple[str, str], ...] = ()
    # Approvers (by username) who approve after the request, in this order.
    approve: tuple[str, ...] = ()
    # Text changes made after the approvals above; they make those approvals stale.
    edit: dict[str, str] = field(default_factory=dict)


def option(title: str, description: str, pros: str, cons: str, cost: str, risk: str) -> dict[str, str]:
    return {"title": title, "description": description, "pros": pros, "cons": cons, "cost": cost, "risk": risk}


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


# --- Comments -------------------------------------------------------------------------------------

# (author, kind of target, target name, body)
COMMENTS = (
    (
        "marco.rossi",
        "story",
        "Challenge window in checkout",
        "@aisha.khan the PSP sandbox now returns challenge window size 05 (full screen) for some test cards. "
        "Can the iframe handle that on mobile?",
    ),
    (
        "aisha.khan",
        "story",
        "Challenge window in checkout",
        "Yes: full screen falls back to a modal sheet on mobile. @li.wei I added the size 05 case to the E2E suite.",
    ),
    (
        "helen.cho",
        "decision",
        "Use the PSP's integrated 3DS2 server for SCA",
        "Fine by me in principle. @demo what happens to the v4.14 release if the PSP only passes TRA exemptions "
        "through for its own acquiring?",
    ),
    (
        "nina.okafor",
        "prd",
        "Checkout 2.0",
        "Re-approved after the metrics change. @sofia.alvarez the saved-card picker now loads card art lazily, "
        "which should settle your performance note.",
    ),
    (
        DEMO_USERNAME,
        "roadmap_item",
        "Real-time fraud scoring",
        "Moved out three weeks after the vendor latency trial. @helen.cho this is the change you will see in the "
        "baseline diff for the planning review.",
    ),
)


# --- Building -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedResult:
    workspace: Workspace
    created: bool


def seed_demo() -> SeedResult:
    """Build the demo workspace once; when it exists already, change nothing but the demo login.

    All or nothing: one transaction. The sign-off e-mails the services queue for the fictional
    team are dropped (their addresses are on a reserved domain anyway) when tasks run in-process.
    """
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
        existing = Workspace.objects.filter(slug=WORKSPACE_SLUG).first()
        if existing is not None:
            demo = _person_user(DEMO_PERSON)
            _make_demo_login(demo)
            # Only when missing: a role someone changed since is theirs to keep (and member_add would
            # overwrite it without the last-admin check that member_set_role makes).
            if not existing.memberships.filter(user=demo).exists():
                member_add(workspace=existing, user=demo, role=DEMO_PERSON.role, title=DEMO_PERSON.title)
            return SeedResult(workspace=existing, created=False)
        workspace = _Builder(today=timezone.localdate()).build()
    return SeedResult(workspace=workspace, created=True)


def _person_user(person: Person) -> AbstractBaseUser:
    """The person's user, created on first use; a same-named user who is not the demo person is refused."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=person.username).first()
    if user is None:
        user = user_model(
            username=person.username, first_name=person.first_name, last_name=person.last_name, email=person.email
        )
        user.set_unusable_password()
        user.save()
    elif user.email.lower() != person.email:
        raise ApplicationError(
            f"A user called “{person.username}” already exists and is not the demo's ({user.email or 'no e-mail'}); "
            "run seed_demo on a database without that user."
        )
    return user


def _make_demo_login(user: AbstractBaseUser) -> None:
    """The demo login: the printed password, staff (never superuser), admin rights on the domain apps."""
    user.set_password(DEMO_PASSWORD)
    user.is_active = True
    user.is_staff = True
    user.is_superuser = False
    user.save(update_fields=["password", "is_active", "is_staff", "is_superuser"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))


class _Builder:
    def __init__(self, *, today: date) -> None:
        self.today = today
        self.users: dict[str, AbstractBaseUser] = {}
        self.statuses: dict[str, WorkflowStatus] = {}
        self.sprints: dict[str, Sprint] = {}
        self.epics: dict[str, Epic] = {}
        self.features: dict[str, Feature] = {}
        self.stories: dict[str, Story] = {}
        self.milestones: dict[str, Milestone] = {}
        self.goals: dict[str, Goal] = {}
        self.roadmaps: dict[str, Roadmap] = {}
        self.items: dict[str, RoadmapItem] = {}
        self.prds: dict[str, PRD] = {}
        self.decisions: dict[str, DecisionRecord] = {}

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    @property
    def demo(self) -> AbstractBaseUser:
        return self.users[DEMO_USERNAME]

    def build(self) -> Workspace:
        workspace = self.build_people()
        self.product = backlog.product_create(
            workspace=workspace,
            name="Payments Platform",
            key="PAY",
            description="Checkout, authentication, payouts, risk and the ledger behind them.",
        )
        self.statuses = {status.name: status for status in WorkflowStatus.objects.filter(product=self.product)}
        self.build_sprints()
        self.build_backlog()
        self.build_tech_debt()
        self.build_roadmaps()
        self.build_prds()
        self.build_decisions()
        self.build_comments()
        return workspace

    # --- people ---

    def build_people(self) -> Workspace:
        for person in PEOPLE:
            self.users[person.username] = _person_user(person)
        _make_demo_login(self.demo)
        admin = next(person for person in PEOPLE if person.role == Role.ADMIN)
        workspace = workspace_create(name=WORKSPACE_NAME, slug=WORKSPACE_SLUG, creator=self.users[admin.username])
        for person in PEOPLE:
            member_add(workspace=workspace, user=self.users[person.username], role=person.role, title=person.title)
        return workspace

    # --- backlog ---

    def build_sprints(self) -> None:
        # Two-week sprints from Monday to Friday of the next week; today falls inside the current one.
        monday = self.today - timedelta(days=self.today.weekday())
        start = monday if (self.today - monday).days >= 5 else monday - timedelta(days=7)
        current = backlog.sprint_create(
            product=self.product,
            name="Sprint 14",
            start_date=start,
            end_date=start + timedelta(days=11),
            goal="3DS2 challenge flow end to end in staging; dual-write switched on for internal merchants.",
            capacity_points=50,
        )
        upcoming_start = start + timedelta(days=14)
        upcoming = backlog.sprint_create(
            product=self.product,
            name="Sprint 15",
            start_date=upcoming_start,
            end_date=upcoming_start + timedelta(days=11),
            goal="SCA exemptions live for low-value payments; wallet buttons behind a flag.",
            capacity_points=50,
        )
        self.sprints = {CURRENT: backlog.sprint_start(sprint=current), NEXT: upcoming}

    def build_backlog(self) -> None:
        for spec in EPICS:
            epic = backlog.epic_create(
                product=self.product,
                actor=self.demo,
                title=spec.title,
                description=spec.description,
                status=self.statuses[spec.status],
                owner=self.users[spec.owner],
                target_date=self.day(spec.target_in_days),
                labels=spec.labels,
            )
            self.epics[spec.code] = epic
            for feature_spec in spec.features:
                feature = backlog.feature_create(
                    epic=epic,
                    actor=self.demo,
                    title=feature_spec.title,
                    description=feature_spec.description,
                    status=self.statuses[feature_spec.status],
                    owner=self.users.get(feature_spec.owner or ""),
                )
                self.features[feature.title] = feature
                for story_spec in feature_spec.stories:
                    self.add_story(story_spec, feature=feature)
            for story_spec in spec.stories:
                self.add_story(story_spec, epic=epic)

    def add_story(self, spec: StorySpec, *, feature: Feature | None = None, epic: Epic | None = None) -> Story:
        created = backlog.story_create(
            product=self.product,
            actor=self.demo,
            title=spec.title,
            feature=feature,
            epic=epic,
            statement=spec.statement,
            points=spec.points,
            priority=spec.priority,
            status=self.statuses[spec.status],
            assignee=self.users.get(spec.assignee or ""),
            sprint=self.sprints.get(spec.sprint or ""),
            labels=spec.labels,
            acceptance_criteria=spec.criteria,
        )
        criteria = list(created.acceptance_criteria.order_by("position"))
        met = {DONE: len(criteria), REVIEW: 1}.get(spec.status, 0)
        for criterion in criteria[:met]:
            backlog.criterion_set_met(criterion=criterion, is_met=True)
        self.stories[created.title] = created
        return created

    def build_tech_debt(self) -> None:
        for spec in TECH_DEBT:
            item = backlog.tech_debt_create(
                product=self.product,
                actor=self.demo,
                title=spec.title,
                description=spec.description,
                kind=spec.kind,
                impact=spec.impact,
                cost_of_delay=spec.cost_of_delay,
                remediation_points=spec.remediation_points,
                epic=self.epics.get(spec.epic or ""),
                owner=self.users[spec.owner],
                labels=("tech-debt",),
            )
            if spec.schedule_into:
                backlog.tech_debt_schedule(item=item, actor=self.demo, sprint=self.sprints[spec.schedule_into])

    # --- roadmaps ---

    def build_roadmaps(self) -> None:
        for name, kind, offset, description in MILESTONES:
            self.milestones[name] = roadmap.milestone_create(
                product=self.product, name=name, date=self.day(offset), kind=kind, description=description
            )
        for title, description, metric, target, due in GOALS:
            self.goals[title] = roadmap.goal_create(
                product=self.product,
                title=title,
                description=description,
                metric=metric,
                target=target,
                due_date=self.day(due),
            )
        for code, name, kind, owner, description in ROADMAPS:
            self.roadmaps[code] = roadmap.roadmap_create(
                product=self.product, name=name, kind=kind, description=description, owner=self.users[owner]
            )
        for spec in ROADMAP_ITEMS:
            self.items[spec.title] = roadmap.roadmap_item_create(
                roadmap=self.roadmaps[spec.roadmap],
                actor=self.demo,
                title=spec.title,
                description=spec.description,
                lane=spec.lane,
                status=spec.status,
                start_date=self.day(spec.start),
                end_date=self.day(spec.end),
                confidence=spec.confidence,
                owner=self.users[spec.owner],
                milestone=self.milestones.get(spec.milestone or ""),
                epics=[self.epics[code] for code in spec.epics],
                goals=[self.goals[title] for title in spec.goals],
            )
        for blocker, blocked, note in DEPENDENCIES:
            roadmap.dependency_add(blocker=self.items[blocker], blocked=self.items[blocked], note=note)
        self.review_product_roadmap()

    def review_product_roadmap(self) -> None:
        """Freeze the product roadmap for the planning review, then move what moved since."""
        quarter = (self.today.month - 1) // 3 + 1
        roadmap.baseline_create(
            roadmap=self.roadmaps["product"], name=f"Q{quarter} {self.today.year} planning review", actor=self.demo
        )
        fraud = self.items["Real-time fraud scoring"]
        roadmap.roadmap_item_update(
            item=fraud,
            actor=self.demo,
            start_date=fraud.start_date + timedelta(days=21),
            end_date=fraud.end_date + timedelta(days=21),
            confidence=OFF,
        )
        wallets = roadmap.roadmap_item_move(item=self.items["Apple Pay and Google Pay"], lane=Lane.NOW)
        roadmap.roadmap_item_update(item=wallets, actor=self.demo, status=IN_PROGRESS, start_date=self.day(-2))

    # --- PRDs and decisions ---

    def build_prds(self) -> None:
        for spec in (CHECKOUT_PRD, SCA_PRD):
            prd = decisions.prd_create(
                product=self.product,
                actor=self.users[spec.owner],
                title=spec.title,
                sections=_sections(spec.sections),
                epics=[self.epics[code] for code in spec.epics],
                roadmap_items=[self.items[title] for title in spec.roadmap_items],
            )
            for requirement in spec.requirements:
                decisions.requirement_create(
                    prd=prd,
                    actor=self.users[spec.owner],
                    title=requirement.title,
                    description=requirement.description,
                    priority=requirement.priority,
                    features=[self.features[title] for title in requirement.features],
                    stories=[self.stories[title] for title in requirement.stories],
                )
            self.prds[spec.title] = prd

        # SCA: every stakeholder approves, so the PRD is approved.
        sca = self.prds[SCA_PRD.title]
        for signoff in self.request_signoffs(sca, SCA_PRD.signoffs):
            self.approve(signoff)

        # Checkout 2.0: approved by both, then the success metrics change: both approvals go stale,
        # both are asked again, and the designer has re-approved the new version.
        checkout = self.prds[CHECKOUT_PRD.title]
        for signoff in self.request_signoffs(checkout, CHECKOUT_PRD.signoffs):
            self.approve(signoff)
        decisions.prd_update(
            prd=checkout,
            actor=self.demo,
            sections=_sections({**CHECKOUT_PRD.sections, **CHECKOUT_PRD_EDIT}),
            change_note="Raised the conversion target after the prototype test",
        )
        self.approve(SignOff.objects.current().get(prd=checkout, approver=self.users["nina.okafor"]))

    def build_decisions(self) -> None:
        for spec in DECISIONS:
            owner = self.users[spec.owner]
            record = decisions.decision_create(
                product=self.product,
                actor=owner,
                title=spec.title,
                context=spec.context,
                decision_drivers=spec.decision_drivers,
                outcome=spec.outcome,
                consequences=spec.consequences,
                confirmation=spec.confirmation,
                owner=owner,
                options=spec.options,
                epics=[self.epics[code] for code in spec.epics],
                roadmap_items=[self.items[title] for title in spec.roadmap_items],
                prds=[self.prds[title] for title in spec.prds],
                deciders=[self.users[name] for name in spec.deciders],
                consulted=[self.users[name] for name in spec.consulted],
                informed=[self.users[name] for name in spec.informed],
            )
            record = decisions.decision_choose_option(
                record=record, actor=owner, option=record.options.get(title=spec.chosen)
            )
            signoffs = {s.approver.username: s for s in self.request_signoffs(record, spec.signoffs, actor=owner)}
            for username in spec.approve:
                self.approve(signoffs[username])
            if spec.edit:
                decisions.decision_update(record=record, actor=owner, **spec.edit)
            self.decisions[spec.title] = record

    def request_signoffs(
        self, document: PRD | DecisionRecord, wanted: Sequence[tuple[str, str]], actor: AbstractBaseUser | None = None
    ) -> list[SignOff]:
        return [
            decisions.signoff_request(
                document=document, actor=actor or self.demo, approver=self.users[username], role=role
            )
            for username, role in wanted
        ]

    def approve(self, signoff: SignOff) -> SignOff:
        return decisions.signoff_approve(signoff=signoff, actor=signoff.approver)

    # --- conversation ---

    def build_comments(self) -> None:
        targets: dict[str, dict[str, Any]] = {
            "story": self.stories,
            "decision": self.decisions,
            "prd": self.prds,
            "roadmap_item": self.items,
        }
        workspace = self.product.workspace
        for author, kind, name, body in COMMENTS:
            comment_create(workspace=workspace, target=targets[kind][name], author=self.users[author], body=body)


def _sections(bodies: dict[str, str]) -> list[dict[str, str]]:
    return [{"kind": kind, "title": title, "body": bodies.get(kind, "")} for kind, title in SECTION_TITLES]


def demo_summary(workspace: Workspace) -> str:
    """What the demo holds, in one line for the command's output."""
    products = Product.objects.filter(workspace=workspace)
    counts = [
        (workspace.memberships.count(), "people"),
        (Epic.objects.filter(product__in=products).count(), "epics"),
        (Feature.objects.filter(product__in=products).count(), "features"),
        (Story.objects.filter(product__in=products).count(), "stories"),
        (TechDebtItem.objects.filter(product__in=products).count(), "tech-debt items"),
        (Sprint.objects.filter(product__in=products).count(), "sprints"),
        (RoadmapItem.objects.filter(roadmap__product__in=products).count(), "roadmap items"),
        (PRD.objects.filter(product__in=products).count(), "PRDs"),
        (Requirement.objects.filter(product__in=products).count(), "requirements"),
        (DecisionRecord.objects.filter(product__in=products).count(), "decision records"),
        (SignOff.objects.filter(Q(prd__product__in=products) | Q(decision__product__in=products)).count(), "sign-offs"),
    ]
    return ", ".join(f"{count} {noun}" for count, noun in counts)
