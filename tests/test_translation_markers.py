"""Every word a person reads goes through Django's translation machinery: in a template through
`{% translate %}` or `{% blocktranslate %}`, in the apps' Python code through gettext.

Each template under templates/ is read with Django's own template Lexer. What is left once the
template's tags, variables, comments and translated blocks are taken out is parsed as HTML, and
every text node with a letter in it is a finding, as is every attribute value with a letter in
it, unless the attribute is one that holds no words people read (a class, an id, a URL, an htmx
instruction: NON_PROSE_ATTRIBUTES). A button's `value`, `title`, `alt`, `aria-label` and
`placeholder` are words. Plain-text templates (emails' .txt) have no markup: any letter outside
a translation is a finding. A string literal a `default`/`yesno` filter may show is read where it
would show (words in a paragraph, a name in a class), and one handed to an
`{% include ... with %}` is words unless its key names a thing; words must be `_("...")`.

The apps' Python code (`untranslated_code`, below) is read with Python's own parser: a string
literal with a letter in it is a finding where a person reads it and it is not the argument of
gettext (or `_`, `gettext_lazy`, `pgettext`, `ngettext`, `format_html`...): a form or model
field's `label`, `help_text`, `verbose_name` (also its first argument), `empty_label` and
`error_messages`; an admin's `description`; a `choices` list's labels, a `*_CHOICES` list's and
a TextChoices class's; a Meta's `verbose_name`; the message of `messages.success` (and the
other levels), of `add_error`, and of the exceptions whose message a page shows
(`SHOWN_EXCEPTIONS`). An f-string is a finding there too: gettext cannot translate one, so a
message with values is `_("... %(name)s ...") % {...}`.

The allow-lists are of names of things, never of words: fix a template rather than add here.
"""

from __future__ import annotations

import ast
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
NON_PROSE_INCLUDE_KEYS = frozenset({"prefix", "chart_id", "table_class"})
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


# --- The apps' Python code -------------------------------------------------------------------

# The call names that mark (or build markup around) their words.
TRANSLATING_CALLS = frozenset(
    """
    _ gettext gettext_lazy pgettext pgettext_lazy ngettext ngettext_lazy npgettext
    npgettext_lazy gettext_noop format_html format_lazy mark_safe
    """.split()  # noqa: SIM905
)
# Keyword arguments whose value a person reads (a field's, a widget's, an admin's).
WORDED_KEYWORDS = frozenset(
    """
    label help_text verbose_name verbose_name_plural empty_label description
    short_description empty_value_display
    """.split()  # noqa: SIM905
)
MESSAGE_LEVELS = frozenset({"debug", "info", "success", "warning", "error", "add_message"})
# Exceptions whose message a page (or a refused form) shows as it is.
SHOWN_EXCEPTIONS = frozenset(
    """
    ValidationError ProgrammeRefused CaseActionRefused CannotInvite ReferralError
    CheckInClosed LinkProblem NeedsConfirmation
    """.split()  # noqa: SIM905
)
CHOICES_BASES = frozenset({"TextChoices", "IntegerChoices", "Choices"})
# A relation's first argument names a model, never words.
RELATIONS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})
APPS = (
    "audit",
    "clinic",
    "examination",
    "health",
    "outbox",
    "patients",
    "programmes",
    "psychosocial",
    "questions",
    "referrals",
    "selfintake",
    "triage",
)
# Not read: migrations (a model's state, frozen), management commands (a terminal's output for
# whoever runs them), and the pure code without Django, which cannot call gettext: the rule
# engine (triage/rules), the questionnaire scoring, and the programmes' clinical core
# (programmes/core: its patient text is the exercise library's, bilingual in the database).
NOT_READ = re.compile(
    r"(^|/)(migrations|management|tests?)/|^triage/rules/|^programmes/core/"
    r"|^psychosocial/scoring\.py$"
)


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literal_words(node: ast.expr) -> str | None:
    """The words of an untranslated literal (a string, an f-string, one joined to another or
    chosen by a condition), or None when the expression is anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if LETTER.search(node.value) else None
    if isinstance(node, ast.JoinedStr):
        text = "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
        return text if LETTER.search(text) else None
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) or _literal_words(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_words(node.body) or _literal_words(node.orelse)
    return None


class _CodeWords(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []

    def _check(self, node: ast.expr) -> None:
        words = _literal_words(node)
        if words is not None:
            self.found.append((node.lineno, " ".join(words.split())))

    def _check_labels(self, pairs: ast.expr) -> None:
        if isinstance(pairs, ast.List | ast.Tuple):
            for pair in pairs.elts:
                if isinstance(pair, ast.Tuple) and len(pair.elts) == 2:
                    self._check(pair.elts[1])

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node.func)
        if name not in TRANSLATING_CALLS:
            for keyword in node.keywords:
                if keyword.arg in WORDED_KEYWORDS:
                    self._check(keyword.value)
                elif keyword.arg == "error_messages" and isinstance(keyword.value, ast.Dict):
                    for value in keyword.value.values:
                        self._check(value)
                elif keyword.arg == "choices":
                    self._check_labels(keyword.value)
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            if (
                name in MESSAGE_LEVELS
                and receiver is not None
                and _call_name(receiver) == "messages"
                and len(node.args) > 1
            ):
                self._check(node.args[1])
            if name in SHOWN_EXCEPTIONS and node.args:
                self._check(node.args[0])
            if name == "add_error" and len(node.args) > 1:
                self._check(node.args[1])
            if (
                name.endswith("Field")
                and name not in RELATIONS
                and receiver is not None
                and _call_name(receiver) in ("models", "forms")
                and node.args
            ):
                self._check(node.args[0])
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if {_call_name(base) for base in node.bases} & CHOICES_BASES:
            for statement in node.body:
                value = statement.value if isinstance(statement, ast.Assign) else None
                if isinstance(value, ast.Tuple) and len(value.elts) >= 2:
                    self._check(value.elts[-1])
        if node.name == "Meta":
            for statement in node.body:
                if isinstance(statement, ast.Assign) and any(
                    isinstance(target, ast.Name)
                    and target.id in ("verbose_name", "verbose_name_plural")
                    for target in statement.targets
                ):
                    self._check(statement.value)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        if any(isinstance(t, ast.Name) and t.id.endswith("_CHOICES") for t in node.targets):
            self._check_labels(node.value)
        self.generic_visit(node)


def untranslated_code(source: str) -> list[tuple[int, str]]:
    """(line, words) for every string literal of `source` a person would read untranslated."""
    finder = _CodeWords()
    finder.visit(ast.parse(source))
    return sorted(finder.found)


def _code_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return sorted(
        path
        for app in APPS
        for path in (base / app).rglob("*.py")
        if not NOT_READ.search(path.relative_to(base).as_posix())
    )


def _code_name(path: Path) -> str:
    return path.relative_to(settings.BASE_DIR).as_posix()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('forms.CharField(label="Name")', [(1, "Name")]),
        ('forms.CharField(label=_("Name"), help_text=gettext_lazy("Given"))', []),
        ('models.CharField("set-up", max_length=3)', [(1, "set-up")]),
        ('models.ForeignKey("patients.Patient", on_delete=models.CASCADE)', []),
        ('forms.EmailField(error_messages={"invalid": "Enter an email"})', [(1, "Enter an email")]),
        ('messages.success(request, f"Sent to {email}")', [(1, "Sent to")]),
        ('messages.error(request, _("Not sent: %(why)s") % {"why": why})', []),
        ('raise ValidationError("Too long")', [(1, "Too long")]),
        ('raise ProgrammeRefused("Say why " + reason)', [(1, "Say why")]),
        ('form.add_error("email", "Enter it")', [(1, "Enter it")]),
        ('form.add_error("email", _("Enter it"))', []),
        ('class Sex(models.TextChoices):\n    F = "F", "Female"\n', [(2, "Female")]),
        ('class Sex(models.TextChoices):\n    F = "F", _("Female")\n', []),
        ('KIND_CHOICES = [("a", "Alpha"), ("b", _("Beta"))]', [(1, "Alpha")]),
        ('forms.ChoiceField(choices=[("", "Choose one")])', [(1, "Choose one")]),
        ('class Meta:\n    verbose_name = "staff profile"\n', [(2, "staff profile")]),
        ('@admin.display(description="Caution")\ndef f(): pass', [(1, "Caution")]),
        ("format_html(\"<span class='x'>{}</span>\", name)", []),
        ('log.info("programme %s sent", pk)', []),
        ('forms.CharField(widget=forms.TextInput(attrs={"inputmode": "numeric"}))', []),
    ],
)
def test_the_code_check_finds_words_outside_gettext_and_nothing_else(
    source: str, expected: list[tuple[int, str]]
) -> None:
    assert untranslated_code(source) == expected


def test_the_code_check_reads_every_app() -> None:
    read = {_code_name(path).split("/")[0] for path in _code_files()}
    assert read == set(APPS)
    assert not any(NOT_READ.search(_code_name(path)) for path in _code_files())


@pytest.mark.parametrize("path", _code_files(), ids=_code_name)
def test_every_word_in_the_code_is_translated(path: Path) -> None:
    found = untranslated_code(path.read_text(encoding="utf-8"))
    assert found == [], f"untranslated words in {_code_name(path)} (line, words): {found}"
