"""Epic “Payouts and reconciliation”: its features and their stories (data only)."""

from __future__ import annotations

from ...specs import DEMO_USERNAME, HIGH, LOW, NEXT, TODO, EpicSpec, FeatureSpec, story

EPIC = EpicSpec(
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
                    "As a merchant I want my balance paid out every working day so that my cash flow is predictable.",
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
)
