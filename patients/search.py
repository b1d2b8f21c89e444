"""Finding a patient from what reception types: names or parts of names, a date of birth, an NHS
number (`PatientQuerySet.search`).

A query is read as words. A ten-digit NHS number (spaces or dashes allowed) is the whole query. A
date of birth is a word like 14/03/1985, 14.3.1985, 14-03-85 (day first, as in the UK) or
1985-03-14; a two-digit year means whichever of 19xx and 20xx is not in the future. Every other
word must be found in the given name or the family name: a word of one or two letters at the
start of the name or of a part of it ("Jo" finds Jones, Joanna and Smith-Jones), a longer one
anywhere in it ("ones" finds Jones), case ignored.

On PostgreSQL a million patients are searched without reading them all (migration 0003 keeps
the tables and indexes this relies on):

1. The words are first looked up in `patients_patient_name`, the distinct names on file (tens of
   thousands of rows, a trigram index on them): one query gives, for each word, the family names
   and the given names it matches, in order.
2. The patients are then those with one of those names, by equality (a hash index on family
   name, an index on given name): what `search()` returns, an ordinary filter, so that the queue
   can filter its cases by it and a count counts. A date of birth has its own index.
3. The search page wants the first 51 in order (family name, given name, date of birth). Those are
   among the first 51 whose family name matches one word and the first 51 whose given name does,
   each read in order from an index alone (the other words checked on the index entries) and
   stopping at 51, then ordered together: a family name shared by ten thousand patients costs no
   more than a rare one. PostgreSQL 15 does not do this by itself (an OR of the two, or a UNION
   ALL of them, under one ORDER BY ... LIMIT is read whole and sorted), so slicing the first page
   off a search does it (`FirstPage`: one query, after the names); anything else done with it
   (filtering it further, a later page) reads the ordinary filter.

On SQLite (the embedded set-up) the same words are matched with LIKE on the patient table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.db.models import Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from patients.nhs import normalise_nhs_number

if TYPE_CHECKING:
    from patients.models import Patient

# The shortest word matched anywhere in a name; shorter ones match the start of a name or part.
SUBSTRING_FROM = 3
# Where a part of a name starts: after a space, a hyphen or an apostrophe (Smith-Jones, O'Brien).
PART_SEPARATORS = (" ", "-", "'")
# The largest page the two-step first page serves; a larger one is an ordinary query.
FIRST_PAGE_MAX = 500

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$")
_DATE_LIKE = re.compile(r"^\d+([/.-]\d+)+$")
_WORD_SPLIT = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Terms:
    """A query as read: an NHS number, or dates of birth and name words."""

    nhs_number: str = ""
    # The dates of birth the query allows (a two-digit year gives two); None: no date given.
    dates_of_birth: frozenset[date] | None = None
    words: tuple[str, ...] = ()

    @property
    def matches_nobody(self) -> bool:
        """Nothing asked for, or a date that is no date (31/02/1985)."""
        if self.nhs_number:
            return False
        return self.dates_of_birth == frozenset() or not (self.dates_of_birth or self.words)


def read(query: str, *, today: date | None = None) -> Terms:
    query = query.strip()
    # Ten digits of any script, with spaces or dashes: 943 476 5919, 943-476-5919 (as the form
    # stores them: ASCII digits).
    number = normalise_nhs_number(query)
    if len(number) == 10 and number.isascii() and number.isdigit():
        return Terms(nhs_number=number)
    today = today or timezone.localdate()
    dates: frozenset[date] | None = None
    words: list[str] = []
    for word in _WORD_SPLIT.split(query):
        if not word:
            continue
        if _DATE_LIKE.match(word):
            these = _dates(word, today)
            dates = these if dates is None else dates & these
        else:
            words.append(word)
    return Terms(dates_of_birth=dates, words=tuple(words))


def _dates(word: str, today: date) -> frozenset[date]:
    """The dates a date-like word can mean; none if it is no date (31/02/1985, 1/2/3)."""
    if match := _YEAR_FIRST.match(word):
        year, month, day = (int(part) for part in match.groups())
        years = [year]
    elif match := _DAY_FIRST.match(word):
        day, month, year = (int(part) for part in match.groups())
        years = [year] if len(match.group(3)) == 4 else [1900 + year, 2000 + year]
    else:
        return frozenset()
    found = set()
    for candidate in years:
        try:
            born = date(candidate, month, day)
        except ValueError:
            continue
        if born <= today or len(years) == 1:
            found.add(born)
    return frozenset(found)


def like_patterns(word: str) -> list[str]:
    """LIKE patterns (backslash escapes) for a word: the start of a name or of a part of it, or
    anywhere in it."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if len(word) >= SUBSTRING_FROM:
        return [f"%{escaped}%"]
    return [f"{escaped}%", *(f"%{sep}{escaped}%" for sep in PART_SEPARATORS)]


def _like_q(field: str, word: str) -> Q:
    """The same match as `like_patterns` as ORM lookups (SQLite: no names table)."""
    if len(word) >= SUBSTRING_FROM:
        return Q(**{f"{field}__icontains": word})
    q = Q(**{f"{field}__istartswith": word})
    for sep in PART_SEPARATORS:
        q |= Q(**{f"{field}__icontains": sep + word})
    return q


# Past this many names in one list, planning a query costs more than running it (PostgreSQL
# estimates each name against the column's statistics, some 7 µs a name): a word of one letter
# matches thousands.
NAMES_PER_QUERY = 200


@dataclass(frozen=True)
class NameMatches:
    """The family names and the given names on file that one word matches, each in order."""

    word: str
    family: tuple[str, ...]
    given: tuple[str, ...]

    def q(self, *, as_filter: bool = False) -> Q:
        """Patients with one of these names. `as_filter`: another word finds the rows, this one
        only checks them: past NAMES_PER_QUERY names, against the names table itself (a hash of
        its answer, built once), which plans in no time and checks a row faster than LIKE."""
        if as_filter and len(self.family) + len(self.given) > NAMES_PER_QUERY:
            return Q(family_name__in=_names_sql("family", self.word)) | Q(
                given_name__in=_names_sql("given", self.word)
            )
        q = Q(pk__in=[])
        if self.family:
            q |= Q(family_name__in=self.family)
        if self.given:
            q |= Q(given_name__in=self.given)
        return q


def _names_condition(word: str) -> tuple[str, list[str]]:
    patterns = like_patterns(word)
    return " OR ".join(["UPPER(name) LIKE UPPER(%s)"] * len(patterns)), patterns


def _names_sql(part: str, word: str) -> RawSQL:
    """The names on file of `part` that `word` matches, as a subquery (what is typed is in the
    parameters only)."""
    condition, params = _names_condition(word)
    sql = f"SELECT name FROM patients_patient_name WHERE part = %s AND ({condition})"  # noqa: S608
    return RawSQL(sql, [part, *params])  # noqa: S611


def names_matching(words: Sequence[str], *, using: str) -> list[NameMatches]:
    """For each word, the names on file it matches, in the database's order: one query."""
    parts, params = [], []
    for n, word in enumerate(words):
        condition, patterns = _names_condition(word)
        parts.append(f"SELECT {n}, part, name FROM patients_patient_name WHERE {condition}")  # noqa: S608
        params += patterns
    found: list[dict[str, list[str]]] = [{"family": [], "given": []} for _ in words]
    with connections[using].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2, 3", params)
        for n, part, name in cursor.fetchall():
            found[n][part].append(name)
    return [
        NameMatches(word, tuple(f["family"]), tuple(f["given"]))
        for word, f in zip(words, found, strict=True)
    ]


@dataclass(frozen=True)
class FirstPage:
    """The first rows of a search in the search's order, read as the first `limit` patients
    whose family name matches `match` and the first `limit` whose given name does, the other
    words checked on the index entries, each read in order from an index and stopping there
    (their ids only: no patient row is read), then those patients, ordered by the database."""

    match: NameMatches
    others: tuple[NameMatches, ...] = ()

    def fetch(self, queryset: QuerySet[Patient], limit: int) -> QuerySet[Patient]:
        ordering = [*(queryset.model._meta.ordering or ()), "pk"]
        base = queryset.model._default_manager.db_manager(queryset.db).all()
        others = Q()
        for other in self.others:
            others &= other.q(as_filter=True)

        def first(q: Q, branch: int, *, in_order: bool = True) -> QuerySet[Any]:
            found = base.filter(q, others)
            if in_order:
                # The search-order index serves only queries that say pk > 0 (migration 0003).
                found = found.filter(pk__gt=0)
            found = found.order_by(*ordering).annotate(branch=Value(branch))
            return found.values_list("pk", "branch")[:limit]

        branches = []
        # Family names come name by name in order, so the first names hold the first rows: a
        # name shared by ten thousand patients is read 51 rows deep, no further.
        family = self.match.family[:NAMES_PER_QUERY]
        if family:
            branches.append(first(Q(family_name__in=family), 0))
        if self.match.given:
            # Given names fall anywhere in family-name order: read in order until `limit` are
            # found, or (when they are few) all of them from the given-name index, then sorted.
            # With other words, which may hold a family name (clustered in that order, late in
            # the alphabet, say), always the latter: read no further than those given names.
            if len(self.match.given) <= NAMES_PER_QUERY:
                given = Q(given_name__in=self.match.given)
            else:
                given = _like_q("given_name", self.match.word)
            branches.append(first(given, 1, in_order=not self.others))
        firsts = branches[0].union(*branches[1:]) if len(branches) > 1 else branches[0]
        if len(family) < len(self.match.family):
            rows = list(firsts)
            if sum(branch == 0 for _, branch in rows) < limit:
                # Fewer than `limit` under the first names (the names table keeps names nobody
                # has any more): all the names, then.
                rows += list(first(Q(family_name__in=self.match.family), 0))
            ids: Any = {pk for pk, _ in rows}
        else:
            sql, params = firsts.query.sql_with_params()
            # Django compiled `sql` with its parameters apart: nothing typed is in it.
            ids = RawSQL(f"SELECT id FROM ({sql}) AS firsts (id, branch)", params)  # noqa: S608, S611
        # The database orders the two together (in its collation, not Python's).
        return base.filter(pk__in=ids).order_by(*ordering)[:limit]


def search(queryset: QuerySet[Patient], query: str) -> tuple[QuerySet[Patient], FirstPage | None]:
    """The patients matching `query`, and a faster way to read the first page of them, if any."""
    terms = read(query)
    if terms.matches_nobody:
        return queryset.none(), None
    if terms.nhs_number:
        return queryset.filter(nhs_number=terms.nhs_number), None
    filters = Q()
    if terms.dates_of_birth is not None:
        filters &= Q(date_of_birth__in=sorted(terms.dates_of_birth))
    if connections[queryset.db].vendor != "postgresql":
        for word in terms.words:
            filters &= _like_q("given_name", word) | _like_q("family_name", word)
        return queryset.filter(filters), None
    matches = names_matching(terms.words, using=queryset.db) if terms.words else []
    if any(not (m.family or m.given) for m in matches):
        return queryset.none(), None  # a word that no name on file has
    for match in matches:
        filters &= match.q(as_filter=len(matches) > 1)
    first_page = None
    if matches and terms.dates_of_birth is None and _unrefined(queryset):
        # Read by the longest word (likely the fewest patients), the others checked on the way.
        longest = max(matches, key=lambda m: len(m.word))
        first_page = FirstPage(longest, tuple(m for m in matches if m is not longest))
    return queryset.filter(filters), first_page


def _unrefined(queryset: QuerySet[Any]) -> bool:
    """Whether `queryset` is all patients as they come (`FirstPage` reads from the manager)."""
    query = queryset.query
    return not (
        query.where
        or query.order_by
        or not query.default_ordering
        or query.annotations
        or query.extra
        or query.select_related
        or query.distinct
        or query.combinator
        or query.is_sliced
        or query.deferred_loading != (frozenset(), True)
    )
