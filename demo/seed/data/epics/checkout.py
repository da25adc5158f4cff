"""Epic “Checkout 2.0”: its features and their stories (data only)."""

from __future__ import annotations

from ...specs import CURRENT, DEMO_USERNAME, DOING, DONE, HIGH, LOW, NEXT, REVIEW, TODO, EpicSpec, FeatureSpec, story

EPIC = EpicSpec(
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
)
