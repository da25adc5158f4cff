"""Jira wiki markup (Data Center, and v2 bodies) ↔ Markdown, through ADF.

Covers what the ADF converter covers: `h1.`…`h6.`, paragraphs, `*strong*`, `_em_`, `{{code}}`,
`[text|url]`, `*` / `#` lists (nested as `**`, `*#`), `{code:lang}` and `{noformat}`, `{quote}` /
`bq.`, `----` and line breaks, and the braced `{*}strong{*}` / `{_}em{_}` that Jira uses for
emphasis inside a word (the writer takes it wherever the plain form would not read back). Other
markup (tables, colours, panels, images, `-strike-`, `+underline+`) degrades to its text.

reader   wiki markup → ADF
writer   ADF → wiki markup (each piece written so that the reader takes it back the same)
"""

from ..adf import adf_to_markdown, markdown_to_adf
from .reader import wiki_to_adf
from .writer import adf_to_wiki, markdown_to_plain


def markdown_to_wiki(markdown: str) -> str:
    return adf_to_wiki(markdown_to_adf(markdown))


def wiki_to_markdown(text: str) -> str:
    return adf_to_markdown(wiki_to_adf(text))


__all__ = ["adf_to_wiki", "markdown_to_plain", "markdown_to_wiki", "wiki_to_adf", "wiki_to_markdown"]
