"""What a test reads of a page's forms: its error summary (templates/clinic/error_summary.html)
and whether any field is marked invalid.

`summary_links(html)` checks the GOV.UK pattern's markup (role="alert", tabindex="-1", the
heading "There is a problem") and returns each entry as (the id it links to, its text), having
checked that every id is a real input, select or textarea on the page. `invalid_fields(html)`
names every input marked invalid (an `is-invalid` class or `aria-invalid`): none may be before
the first submit.
"""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass, field
from html.parser import HTMLParser

FOCUSABLE = {"input", "select", "textarea"}


@dataclass
class _Page(HTMLParser):
    ids: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    summaries: list[dict[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    entries: list[str] = field(default_factory=list)
    heading: str = ""
    invalid: list[str] = field(default_factory=list)
    _depth: int = 0  # > 0 inside the summary
    _in_heading: bool = False
    _in_link: str | None = None
    _in_item: bool = False
    _text: str = ""

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if "id" in attrs:
            self.ids[attrs["id"]] = (tag, attrs)
        marked = "is-invalid" in attrs.get("class", "").split() or "aria-invalid" in attrs
        if tag in FOCUSABLE and attrs.get("type") != "hidden" and marked:
            self.invalid.append(attrs.get("id") or attrs.get("name", "?"))
        if self._depth:
            if tag not in {"input", "br", "img"}:
                self._depth += 1
            if tag == "h2":
                self._in_heading = True
            elif tag == "li":
                self._in_item, self._text = True, ""
            elif tag == "a":
                self._in_link = attrs.get("href", "")
        elif "data-error-summary" in attrs:
            self.summaries.append(attrs)
            self._depth = 1

    def handle_endtag(self, tag: str) -> None:
        if not self._depth:
            return
        if tag == "h2":
            self._in_heading = False
        elif tag == "a" and self._in_link is not None:
            self.links.append((self._in_link, " ".join(self._text.split())))
            self._in_link = None
        elif tag == "li":
            self.entries.append(" ".join(self._text.split()))
            self._in_item = False
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.heading += data
        if self._in_item:
            self._text += data


def _parse(content: str | bytes) -> _Page:
    page = _Page()
    page.feed(content.decode() if isinstance(content, bytes) else content)
    return page


def summary_links(content: str | bytes) -> list[tuple[str, str]]:
    """(target id, text) of each link in the page's one error summary, checked to be real."""
    page = _parse(content)
    assert len(page.summaries) == 1, f"{len(page.summaries)} error summaries on the page"
    summary = page.summaries[0]
    assert summary.get("role") == "alert"
    assert summary.get("tabindex") == "-1"
    assert summary.get("id") == "error-summary"
    assert " ".join(page.heading.split()) == "There is a problem"
    assert page.links, "an error summary without a link"
    targets = []
    for href, text in page.links:
        assert href.startswith("#"), href
        target = html_lib.unescape(href[1:])
        assert target in page.ids, f"the summary links to #{target}, which is not on the page"
        tag, attrs = page.ids[target]
        assert tag in FOCUSABLE and attrs.get("type") != "hidden", f"#{target} is a {tag}"
        assert text, f"the link to #{target} has no text"
        targets.append((target, text))
    return targets


def summary_entries(content: str | bytes) -> list[str]:
    """The text of every entry of the page's error summary, linked or not."""
    return _parse(content).entries


def has_summary(content: str | bytes) -> bool:
    return bool(_parse(content).summaries)


def invalid_fields(content: str | bytes) -> list[str]:
    """The ids (or names) of the inputs the page marks invalid."""
    return _parse(content).invalid


def described_by(content: str | bytes, input_id: str) -> list[str]:
    """The ids an input's aria-describedby names."""
    page = _parse(content)
    _, attrs = page.ids[input_id]
    return attrs.get("aria-describedby", "").split()
