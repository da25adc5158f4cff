"""A corpus of hostile Markdown and HTML, and a check, on parsed HTML, that a page carries none of it live.

Every payload that would run sets `window.__xss`, so a browser test can tell whether anything executed.
`inert_problems(html)` parses a page (html.parser, as a browser tokenises it) and lists whatever could run
or navigate to script: a <script> that is not one of this site's files, an on* attribute anywhere, a
javascript: / vbscript: / data: URL in a link or source attribute, frames, objects, embeds, <base>,
<meta http-equiv>, inline <style> blocks, and style attributes that load or evaluate anything (the CSP
forbids inline styles too).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

CORPUS = [
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="window.__xss=1">',
    "<img src=x onerror=window.__xss=1//",
    '<svg onload="window.__xss=1"><circle r="1"/></svg>',
    "<svg><script>window.__xss=1</script></svg>",
    '<svg><a xlink:href="javascript:window.__xss=1"><text y="20">svg link</text></a></svg>',
    '<svg><animate onbegin="window.__xss=1" attributeName="x" dur="1s"/></svg>',
    "[click me](javascript:window.__xss=1)",
    "[mixed case](JaVaScRiPt:window.__xss=1)",
    "[spaced](  javascript:window.__xss=1  )",
    "[entity](&#106;avascript:window.__xss=1)",
    "[tab](java\tscript:window.__xss=1)",
    "[data link](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)",
    "[vb](vbscript:msgbox(1))",
    "![image](javascript:window.__xss=1)",
    '![alt](x" onerror="window.__xss=1)',
    "![svg data](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9IndpbmRvdy5fX3hzcz0xIi8+)",
    "[reference link][evil]\n\n[evil]: javascript:window.__xss=1",
    "<javascript:window.__xss=1>",
    '<a href="javascript:window.__xss=1">raw link</a>',
    '<a href="&#x6A;avascript:window.__xss=1">entity link</a>',
    '<a href="java&#9;script:window.__xss=1">tab entity link</a>',
    '<a href=" &#14; javascript:window.__xss=1">control character link</a>',
    '<a href="data:text/html,<script>window.__xss=1</script>">data link</a>',
    '<iframe src="javascript:window.__xss=1"></iframe>',
    '<iframe srcdoc="<script>window.__xss=1</script>"></iframe>',
    '<object data="javascript:window.__xss=1"></object><embed src="javascript:window.__xss=1">',
    '<div style="background:url(javascript:window.__xss=1);width:expression(window.__xss=1)">styled</div>',
    '<style>body{background:url("javascript:window.__xss=1")}</style>',
    '<details open ontoggle="window.__xss=1"><summary>toggle</summary></details>',
    '<input autofocus onfocus="window.__xss=1">',
    '<form action="javascript:window.__xss=1"><button formaction="javascript:window.__xss=1">go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    '<base href="javascript:/">',
    '<img src="x" <script>window.__xss=1</script>',
    "<<script>script>window.__xss=1<</script>/script>",
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1">',
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=window.__xss=1>",
    "</textarea><script>window.__xss=1</script>",
    "<!--><script>window.__xss=1</script>-->",
    "`<script>window.__xss=1</script>` in code stays text",
    "```\n<script>window.__xss=1</script>\n```",
    '<a href="https://example.com" onclick="window.__xss=1" target="_blank">https link, hostile handler</a>',
]
MARKDOWN = "\n\n".join(CORPUS)
# For one-line fields (titles, names): short enough for a CharField(255) with a suffix.
LINE = '"><img src=x onerror=window.__xss=1><script>window.__xss=1</script>'
MARKER = "__xss"

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
NEVER = {"iframe", "frame", "frameset", "object", "embed", "applet", "base"}


def _scheme(value: str) -> str:
    # As a browser parses a URL (WHATWG): leading and trailing C0 controls and spaces are stripped and
    # tabs and newlines removed anywhere; a space left inside makes it a relative URL, not a scheme.
    return re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(0x21))))).lower()


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        # JSON in a script element (json_script) is data, never run.
        self._in_script = tag == "script" and dict(attrs).get("type") not in DATA_SCRIPT_TYPES

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:80]!r}")

    @staticmethod
    def _our_script(values: dict[str, str]) -> bool:
        """A file of this site (/static/…, the admin's /admin/jsi18n/): a path, not another host."""
        src = values.get("src", "")
        return src.startswith("/") and not src.startswith("//")

    @staticmethod
    def _data_script(values: dict[str, str]) -> bool:
        return values.get("type") in DATA_SCRIPT_TYPES and "src" not in values

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and not self._our_script(values) and not self._data_script(values):
            self.problems.append(f"<script> not ours: {values}")
        if tag in NEVER:
            self.problems.append(f"<{tag}> {values}")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append(f"<meta http-equiv> {values}")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value[:60]!r}>")
            elif name == "style" and re.search(r"url\(|expression|script|" + MARKER, value, re.IGNORECASE):
                self.problems.append(f"<{tag} style={value[:60]!r}>")
            elif name == "srcdoc":
                self.problems.append(f"<{tag} srcdoc>")
            elif name in URL_ATTRIBUTES and _scheme(value).startswith(BAD_SCHEMES):
                self.problems.append(f"<{tag} {name}={value[:60]!r}>")


def inert_problems(html: str) -> list[str]:
    """What in this HTML could run script or navigate to it; [] when the page is inert."""
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def shows_payload(html: str) -> bool:
    """Whether the page shows the corpus (as text): proof that the hostile content reached it."""
    return MARKER in html
