"""Rich text a designer or a learner writes, made safe to show (pure; nh3's allow-list).

Only structure and emphasis survive: paragraphs, lists, headings, quotes, tables and
links to http(s) or mailto, which open with ``rel="noopener noreferrer"``. Everything
else (scripts, styles, event attributes, frames, forms, images that could track the
reader) is dropped with its content where it is code, and unwrapped where it is text.
"""

from __future__ import annotations

import nh3

TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "ul", "ol", "li",
    "h2", "h3", "h4", "blockquote", "code", "pre", "hr", "a",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
})  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": {"colspan", "rowspan"}}
SCHEMES = frozenset({"http", "https", "mailto"})
#: The longest rich text taken, in characters: beyond it, refused rather than cut.
MOST_CHARACTERS = 100_000


def clean(html: str) -> str:
    """``html`` with only the allowed tags, attributes and link schemes."""
    if len(html) > MOST_CHARACTERS:
        raise ValueError(f"rich text is limited to {MOST_CHARACTERS} characters")
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
