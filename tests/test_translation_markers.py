"""Every word a person reads in a template goes through `{% translate %}` or `{% blocktranslate %}`.

Each template under templates/ is read with Django's own template Lexer. What is left once the
template's tags, variables, comments and translated blocks are taken out is parsed as HTML, and
every text node with a letter in it is a finding, as is every attribute value with a letter in
it, unless the attribute is one that holds no words people read (a class, an id, a URL, an htmx
instruction: NON_PROSE_ATTRIBUTES). A button's `value`, `title`, `alt`, `aria-label` and
`placeholder` are words. Plain-text templates (emails' .txt) have no markup: any letter outside
a translation is a finding. A string literal a `default`/`yesno` filter may show is read where it
would show (words in a paragraph, a name in a class), and one handed to an
`{% include ... with %}` is words unless its key names a thing; words must be `_("...")`.

The allow-lists are of names of things, never of words: fix a template rather than add here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.BASE_DIR) / "templates"
LETTER = re.compile(r"[^\W\d_]")
HOLE = "\x00"  # where a tag, a variable or a translated block was

# Attributes whose values are names, addresses or instructions to the browser, never prose.
NON_PROSE_ATTRIBUTES = frozenset(
    """
    accept action align aria-atomic aria-busy aria-checked aria-controls aria-current
    aria-describedby aria-disabled aria-errormessage aria-expanded aria-haspopup aria-hidden
    aria-invalid aria-labelledby aria-level aria-live aria-modal aria-owns aria-pressed
    aria-relevant aria-required aria-selected aria-valuemax aria-valuemin aria-valuenow async
    autocapitalize autocomplete autofocus border cellpadding cellspacing charset checked class
    cols colspan content controls crossorigin cx cy d datetime defer dir disabled
    dominant-baseline download dx dy enctype enterkeyhint fill fill-opacity focusable font-size
    font-weight for form headers height hidden href http-equiv id inputmode integrity lang list
    loading max maxlength media method min minlength multiple name novalidate offset opacity
    open pattern points preload preserveaspectratio r readonly referrerpolicy rel required role
    rows rowspan rx ry sandbox scope selected shape-rendering size sizes spellcheck src srcset
    step stop-color stroke stroke-dasharray stroke-linecap stroke-linejoin stroke-opacity
    stroke-width style tabindex target text-anchor transform translate type valign value
    vector-effect version viewbox width wrap x x1 x2 xmlns y y1 y2
    hx-boost hx-disabled-elt hx-get hx-headers hx-include hx-indicator hx-params hx-post
    hx-preserve hx-push-url hx-select hx-select-oob hx-swap hx-swap-oob hx-sync hx-target
    hx-trigger hx-vals
    """.split()  # noqa: SIM905 (a list of names reads better as words)
)
# data- attributes that name things for a script; any other data- attribute is read as words
# (a script shows it: data-failed-text, data-emergency-news).
NON_PROSE_DATA_ATTRIBUTES = re.compile(
    r"data-(bs-.*|(.*-)?(id|ids|url|seconds|key|field|target|for|zone|index|kind|urgency))$"
)
# A `value` is the words on the control for these input types only (a <button> shows its content,
# never its value).
WORDED_VALUE_TYPES = frozenset({"submit", "button", "reset"})
# Blocks whose content a parent template puts inside an attribute (base.html's <main class>).
ATTRIBUTE_BLOCKS = frozenset({"main_class"})
# `{% include ... with key="..." %}` keys that hold names, not words.
NON_PROSE_INCLUDE_KEYS = frozenset({"prefix", "chart_id"})
WORDED_FILTERS = ("default", "default_if_none", "yesno")
_LITERAL_KWARG = re.compile(r"""\b(\w+)=(["'])(.*?)\2""")
_WORDED_FILTER = re.compile(r"""\|(%s):(["'])(.*?)\2""" % "|".join(WORDED_FILTERS))  # noqa: UP031


def _outside_translations(source: str) -> tuple[str, list[tuple[int, str]]]:
    """The template's text with every tag, variable, comment and translated block replaced by a
    hole (line ends kept, so that the HTML parser's lines are the template's), and the untranslated
    literals found in its tags."""
    parts: list[str] = []
    literals: list[tuple[int, str]] = []
    translating = commenting = 0
    attribute_block = 0
    for token in Lexer(source).tokenize():
        words = token.contents.split()
        first = words[0] if words else ""
        newlines = "\n" * token.contents.count("\n")
        if token.token_type == TokenType.BLOCK:
            if commenting:
                commenting -= first == "endcomment"
                continue
            if first == "comment":
                commenting = 1
            elif first in ("blocktranslate", "blocktrans"):
                translating += 1
            elif first in ("endblocktranslate", "endblocktrans"):
                translating -= 1
            elif first == "block" and len(words) > 1 and words[1] in ATTRIBUTE_BLOCKS:
                attribute_block += 1
            elif first == "endblock" and attribute_block:
                attribute_block -= 1
            elif not translating and first in ("include", "with"):
                literals.extend(
                    (token.lineno, f'{key}="{text}"')
                    for key, _quote, text in _LITERAL_KWARG.findall(token.contents)
                    if key not in NON_PROSE_INCLUDE_KEYS and LETTER.search(text)
                )
            parts.append(f" {HOLE} {newlines}")
        elif token.token_type == TokenType.TEXT and not (
            translating or commenting or attribute_block
        ):
            parts.append(token.contents)
        else:
            shown = ""
            if token.token_type == TokenType.VAR and not (translating or commenting):
                # What the filter may show stands where it would show.
                shown = " ".join(
                    text.replace(",", " ")
                    for _name, _quote, text in _WORDED_FILTER.findall(token.contents)
                )
            parts.append(
                f" {HOLE} {shown}{newlines}" if token.token_type != TokenType.TEXT else newlines
            )
    return "".join(parts), literals


class _Words(HTMLParser):
    """The text nodes and worded attribute values of an HTML fragment that have a letter."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skipping = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping += 1
        kind = (dict(attrs).get("type") or "").strip().lower()
        for name, value in attrs:
            if value is None or not LETTER.search(value.replace(HOLE, "")):
                continue
            if name == "value" and tag == "input" and kind in WORDED_VALUE_TYPES:
                pass
            elif name in NON_PROSE_ATTRIBUTES or NON_PROSE_DATA_ATTRIBUTES.match(name):
                continue
            shown = " ".join(value.replace(HOLE, "…").split())
            self.found.append((self.getpos()[0], f'<{tag} {name}="{shown}">'))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.replace(HOLE, " ").split())
        first = LETTER.search(data.replace(HOLE, " "))
        if not self._skipping and first is not None:
            # The line of the first word, not of the end of the tag before it.
            self.found.append((self.getpos()[0] + data[: first.start()].count("\n"), text))


def untranslated(source: str, *, plain_text: bool = False) -> list[tuple[int, str]]:
    """(line, words) for every piece of `source` a person would read untranslated."""
    text, literals = _outside_translations(source)
    if plain_text:
        found = [
            (n, " ".join(line.replace(HOLE, " ").split()))
            for n, line in enumerate(text.splitlines(), start=1)
            if LETTER.search(line.replace(HOLE, ""))
        ]
    else:
        parser = _Words()
        parser.feed(text)
        parser.close()
        found = parser.found
    return sorted(found + literals)


def _templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


def _findings(path: Path) -> list[tuple[int, str]]:
    return untranslated(path.read_text(encoding="utf-8"), plain_text=path.suffix == ".txt")


# --- The check itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello {{ name }}</p>", [(1, "Hello")]),
        ('<a href="/x" class="btn">{% translate "Go" %}</a>', []),
        ('<button aria-label="Close">&times;</button>', [(1, '<button aria-label="Close">')]),
        ('<input type="submit" value="Save">', [(1, '<input value="Save">')]),
        ('<input type="hidden" name="next" value="queue">', []),
        ('<button name="go" value="next">{% translate "Next" %}</button>', []),
        ('<section data-urgency="EMERGENCY"></section>', []),
        ('<img alt="{{ alt }}" src="{% url "x" %}">', []),
        ('<p title="Born {{ born }}">1</p>', [(1, '<p title="Born …">')]),
        ("{# Why #}<p>{% comment %}Notes{% endcomment %}</p>", []),
        ("{% blocktranslate %}Hi {{ x }}{% endblocktranslate %}", []),
        ("<p>\n  {% if a %}Yes{% endif %}\n</p>", [(2, "Yes")]),
        ("<script>var a = 'words';</script><style>b { c: d }</style>", []),
        (
            '<div data-emergency-news="New case" data-case-id="c1"></div>',
            [(1, '<div data-emergency-news="New case">')],
        ),
        ('{% include "x.html" with title="Pain" prefix="offline-" %}', [(1, 'title="Pain"')]),
        ('{% include "x.html" with title=_("Pain") %}', []),
        (
            '<p>{{ a|default:"Not given" }}{{ b|default:_("None") }}{{ c|date:"j M" }}</p>',
            [(1, "Not given")],
        ),
        ('<p class="{{ level|default:"info" }}">{{ d|yesno:_("yes,no") }}</p>', []),
        ("{% block main_class %}container-fluid{% endblock main_class %}", []),
        ("<p>12 &middot; 3&ndash;4 &times; 5 \u00d7 6</p>", []),
        ('<body{% if x %} class="a"{% endif %}><p>{{ x }}</p></body>', []),
    ],
)
def test_the_check_finds_words_outside_translations_and_nothing_else(
    source: str, expected: list[tuple[int, str]]
) -> None:
    assert untranslated(source) == expected


def test_the_check_reads_plain_text_templates_line_by_line() -> None:
    source = '{% load i18n %}{% translate "Hello" %},\n\nOpen it:\n{{ url }}\n'
    assert untranslated(source, plain_text=True) == [(3, "Open it:")]


# --- The templates ---------------------------------------------------------------------------


def _name(path: Path) -> str:
    return path.relative_to(TEMPLATES).as_posix()


@pytest.mark.parametrize("path", _templates(), ids=_name)
def test_every_word_in_a_template_is_translated(path: Path) -> None:
    found = _findings(path)
    assert found == [], f"untranslated words in {_name(path)} (line, words): {found}"
