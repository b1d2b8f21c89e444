"""The German catalogue is complete: every entry of locale/de/LC_MESSAGES/django.po has its
translation (each plural form too), none is fuzzy (a guess gettext would not use), and msgfmt
accepts it, placeholders and all (`--check`: a translation that drops or renames a
`%(name)s` fails).

The catalogue is read by a small reader of the PO format (GNU gettext manual, "The Format of PO
Files"): entries are separated by blank lines; `#,` lines carry flags; `#~` lines are obsolete
entries, which gettext ignores; the entry with an empty msgid is the header.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)


def read_po(text: str) -> list[Entry]:
    """The entries of a PO file, obsolete ones left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # the keyword a continuation line adds to

    def add(keyword: str, index: int, value: str) -> None:
        assert current is not None
        if keyword == "msgstr":
            current.msgstr[index] = current.msgstr.get(index, "") + value
        elif keyword == "msgid":
            current.msgid += value
        elif keyword == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + value
        elif keyword == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + value

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"line {number}: a string outside any keyword"
            add(target[0], target[1], ast.literal_eval(line))
        else:
            keyword, _, rest = line.partition(" ")
            index = 0
            if keyword.startswith("msgstr["):
                index = int(keyword[len("msgstr[") : -1])
                keyword = "msgstr"
            target = (keyword, index)
            add(keyword, index, ast.literal_eval(rest.strip()))
    return entries


def _messages() -> list[Entry]:
    return [e for e in read_po(CATALOGUE.read_text(encoding="utf-8")) if e.msgid]


def _shown(entry: Entry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"line {entry.line}: {context}{entry.msgid[:70]!r}"


# --- The reader ------------------------------------------------------------------------------


def test_the_reader_reads_entries_flags_plurals_and_continuations() -> None:
    source = "\n".join(
        [
            'msgid ""',
            'msgstr ""',
            '"Language: de\\n"',
            "",
            "#: clinic/views.py:1",
            "#, fuzzy, python-format",
            'msgctxt "date"',
            'msgid "Hello %(name)s"',
            'msgstr "Hallo "',
            '"%(name)s"',
            "",
            'msgid "one day"',
            'msgid_plural "%(n)s days"',
            'msgstr[0] "ein Tag"',
            'msgstr[1] ""',
            "",
            '#~ msgid "Gone"',
            '#~ msgstr ""',
        ]
    )
    header, hello, days = read_po(source)
    assert header.msgid == "" and "Language: de" in header.msgstr[0]
    assert hello.flags == {"fuzzy", "python-format"}
    assert (hello.msgctxt, hello.msgid, hello.msgstr) == (
        "date",
        "Hello %(name)s",
        {0: "Hallo %(name)s"},
    )
    assert days.msgid_plural == "%(n)s days" and days.msgstr == {0: "ein Tag", 1: ""}


# --- The catalogue ---------------------------------------------------------------------------


def test_the_catalogue_has_entries() -> None:
    assert len(_messages()) > 100


def test_no_entry_of_the_german_catalogue_is_untranslated() -> None:
    empty = [
        _shown(e) for e in _messages() if not e.msgstr or any(not s for s in e.msgstr.values())
    ]
    assert empty == [], f"{len(empty)} entries without a German translation: {empty[:20]}"


def test_no_entry_of_the_german_catalogue_is_fuzzy() -> None:
    fuzzy = [_shown(e) for e in _messages() if "fuzzy" in e.flags]
    assert fuzzy == [], f"{len(fuzzy)} fuzzy entries (check them, then drop the flag): {fuzzy}"


def test_every_plural_entry_has_both_german_forms() -> None:
    # German has two plural forms (nplurals=2 in the header).
    short = [_shown(e) for e in _messages() if e.msgid_plural and set(e.msgstr) != {0, 1}]
    assert short == []


def test_msgfmt_accepts_the_catalogue(tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt (GNU gettext) is missing: run scripts/install-system-packages")
    result = subprocess.run(
        [msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
