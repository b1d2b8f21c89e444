"""What a patient reads, collected from a page in Chromium and scanned for the wrong language.

`collect(page)` is every word a person can see or hear on the page: the title, the body's text
(`innerText`), and the words that live in attributes (placeholders, aria-labels, alt and title
text, option and optgroup labels, the values of input buttons), with the text of elements a
script may show (`[hidden]`). The time-zone list's options are left out: they are the IANA
database's place names ("Europe/Berlin"), proper names in every language.

`Reader` holds the rules of one language and keeps every finding, page by page, so that a walk
ends with one list of all that is wrong rather than stopping at the first:

- a German reader flags common English words, whole words, case-insensitive (a word that is
  also German, such as "in", "will", "also", "Link" or "Start", is not among them), English
  month and weekday names ("was", "After", "Problem" and "Check-ins" are German too), English ordinals ("3rd"), "a.m."/"p.m.", a decimal point where German
  writes a comma ("2.5 kg"), and a day before a month without its dot ("3 Dezember");
- an English reader flags common German words and any ä, ö, ü or ß.

Before scanning, what is the same in both languages is taken out: the clinic's name, address
and phone, the patients' names, web and email addresses, the language switch's own names
("Deutsch", "English"), and any exercise a clinic left without German (`proper`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page

COLLECT = """() => {
  // A select's innerText is its options': the time zones' are taken out while it is read.
  const kept = [];
  document.querySelectorAll("select[data-time-zone]").forEach((select) => {
    const options = document.createDocumentFragment();
    while (select.firstChild) { options.appendChild(select.firstChild); }
    kept.push([select, options]);
  });
  const parts = [document.title, document.body.innerText];
  kept.forEach(([select, options]) => select.appendChild(options));
  const zones = (el) => !!el.closest("select[data-time-zone]") && el.tagName === "OPTION";
  const attr = (selector, name) => document.querySelectorAll(selector).forEach((el) => {
    if (!zones(el)) { parts.push(el.getAttribute(name) || ""); }
  });
  attr("[placeholder]", "placeholder");
  attr("[aria-label]", "aria-label");
  attr("img[alt], area[alt], input[alt]", "alt");
  attr("[title]", "title");
  attr("optgroup", "label");
  document.querySelectorAll("option").forEach((el) => {
    if (!zones(el)) { parts.push(el.label || el.textContent || ""); }
  });
  document.querySelectorAll("input[type=submit], input[type=button], input[type=reset]")
    .forEach((el) => parts.push(el.value || ""));
  document.querySelectorAll("[hidden]").forEach((el) => parts.push(el.textContent || ""));
  return parts.join("\\n");
}"""

# Whole words, read case-insensitively. Not here: words German has too ("in", "also", "will",
# "was", "Problem", "After", "Start", "Link", "Check-ins").
ENGLISH_WORDS = """
the and your you yours please with without pain week weeks call clinic exercise exercises
session sessions today yesterday tomorrow this that these those what when where which who how
have has had are is were of to for from our we us can could if or by on at it its be been
do does don't yes back continue save send sent answer answers question questions day days month
year here help emergency urgent sign signs before again more only should must my me they their
there next step change print hello thank thanks sorry error required field valid enter number
date new email hours minutes seconds ago since until about any stop as off out up
monday tuesday wednesday thursday friday saturday sunday
january february march june july october december
programme program handout reminder reminders unsubscribe
""".split()  # noqa: SIM905 - a list a person reads and adds to

GERMAN_WORDS = """
und Sie Ihre Ihr Ihnen Ihren bitte Schmerzen Schmerz Woche Wochen nicht oder für Übung Übungen
wenn Klinik Antworten weiter zurück heute Schritt der das ist mit eine einen auf
Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag
Januar Februar März Mai Juni Juli Oktober Dezember
""".split()  # noqa: SIM905

GERMAN_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"

_ENGLISH = re.compile(
    r"(?<![\w-])(" + "|".join(map(re.escape, ENGLISH_WORDS)) + r")(?![\w-])", re.I
)
_GERMAN = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, GERMAN_WORDS)) + r")(?![\w-])")
_UMLAUT = re.compile(r"[äöüÄÖÜß]")
# A point between digits, but for thousands ("1.000", German's own).
_DECIMAL_POINT = re.compile(r"(?<![\d.])(?!\d{1,3}\.\d{3}(?![\d.]))\d+\.\d+(?![\d.])")
_ORDINAL = re.compile(r"\b\d+(st|nd|rd|th)\b", re.I)
_AM_PM = re.compile(r"\b[ap]\.m\.|\d(am|pm)\b|\d\s?pm\b", re.I)
_DAY_WITHOUT_DOT = re.compile(rf"\b\d{{1,2}} ({GERMAN_MONTHS})\b")
_ADDRESS = re.compile(r"(https?://\S+|\S+@\S+|\b[\w.-]+\.(?:org|com|de|example)\b)")


def collect(page: Page) -> str:
    return str(page.evaluate(COLLECT))


def _shown(text: str, match: re.Match[str]) -> str:
    start, end = max(0, match.start() - 30), min(len(text), match.end() + 30)
    return " ".join(text[start:end].split())


@dataclass
class Reader:
    """The findings of one walk: `spoken` is "de" or "en"; `proper` the names shown as they are."""

    spoken: str
    proper: tuple[str, ...] = ()
    found: list[str] = field(default_factory=list)
    read: dict[str, str] = field(default_factory=dict)

    def page(self, name: str, page: Page) -> str:
        lang = page.locator("html").get_attribute("lang") or ""
        wanted = "de" if self.spoken == "de" else "en-GB"
        if lang != wanted:
            self.found.append(f"{name}: <html lang={lang!r}>, not {wanted!r} ({page.url})")
        return self.text(name, collect(page))

    def text(self, name: str, text: str) -> str:
        name = self._unique(name)
        self.read[name] = text
        self._dump(name, text)
        scanned = self._without_proper_names(text)
        if self.spoken == "de":
            self._flag(name, scanned, _ENGLISH, "English")
            self._flag(name, scanned, _DECIMAL_POINT, "a decimal point")
            self._flag(name, scanned, _ORDINAL, "an English ordinal")
            self._flag(name, scanned, _AM_PM, "a.m./p.m.")
            self._flag(name, scanned, _DAY_WITHOUT_DOT, "a day without its dot")
        else:
            self._flag(name, scanned, _GERMAN, "German")
            self._flag(name, scanned, _UMLAUT, "a German letter")
        return text

    def emails(self, name: str, subject: str, text: str, html: str, page: Page) -> None:
        """An email's subject, text part and HTML part (its words as Chromium shows them)."""
        self.text(f"{name} (subject)", subject)
        self.text(f"{name} (text)", text)
        page.set_content(html)
        lang = page.locator("html").get_attribute("lang") or ""
        wanted = "de" if self.spoken == "de" else "en-GB"
        if lang != wanted:
            self.found.append(f"{name} (HTML): <html lang={lang!r}>, not {wanted!r}")
        self.text(f"{name} (HTML)", collect(page))

    def report(self) -> str:
        return f"{len(self.found)} findings:\n" + "\n".join(self.found)

    # --- inside ---

    def _unique(self, name: str) -> str:
        if name not in self.read:
            return name
        n = 2
        while f"{name} #{n}" in self.read:
            n += 1
        return f"{name} #{n}"

    def _without_proper_names(self, text: str) -> str:
        names: Iterable[str] = (
            settings.CLINIC_NAME,
            *settings.CLINIC_ADDRESS.split("|"),
            settings.CLINIC_PHONE,
            "Deutsch",
            "English",
            *self.proper,
        )
        text = _ADDRESS.sub(" ", text)
        for proper in sorted((n for n in names if n), key=len, reverse=True):
            text = text.replace(proper, " ")
        return text

    def _flag(self, name: str, text: str, pattern: re.Pattern[str], what: str) -> None:
        for match in pattern.finditer(text):
            self.found.append(f"{name}: {what} {match.group(0)!r} in “…{_shown(text, match)}…”")

    def _dump(self, name: str, text: str) -> None:
        # READING_DUMP=<folder> keeps each text read, for a person to read through.
        folder = os.environ.get("READING_DUMP")
        if folder:
            path = Path(folder, self.spoken)
            path.mkdir(parents=True, exist_ok=True)
            safe = re.sub(r"[^\w.#-]+", "_", name)
            (path / f"{len(self.read):03d}-{safe}.txt").write_text(text, encoding="utf-8")
