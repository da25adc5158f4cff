"""Comments on stories, decisions, PRDs and roadmap items, mentioning people."""

from __future__ import annotations

from ..specs import DEMO_USERNAME

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
