"""Finding a returning patient by name, part of a name, date of birth or NHS number."""

from __future__ import annotations

import importlib
import logging
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection
from django.db.models.functions import Lower
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients import search
from patients.models import Patient
from patients.services import find_returning_patient
from tests.patients.helpers import (
    OTHER_VALID_NHS_NUMBER,
    VALID_NHS_NUMBER,
    make_user,
    patient_details,
)
from tests.support.two_factor import sign_in

URL = reverse("patients:patient_search")

pytestmark = pytest.mark.django_db


def _patient(**fields: object) -> Patient:
    defaults: dict[str, object] = {
        "given_name": "Sarah",
        "family_name": "Jones",
        "date_of_birth": date(1980, 5, 17),
        "sex": "F",
    }
    return Patient.objects.create(**(defaults | fields))


def test_anonymous_user_is_sent_to_login(client: Client) -> None:
    response = client.get(URL, {"q": "Jones"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_without_a_role_are_refused(client: Client) -> None:
    sign_in(client, make_user(role=None))
    assert client.get(URL).status_code == 403


def test_search_page_starts_empty(reception_client: Client) -> None:
    _patient()
    response = reception_client.get(URL)
    assert response.status_code == 200
    assert response.context["patients"] == []
    assert "JONES, Sarah" not in response.content.decode()


def test_reception_finds_a_patient_by_part_of_their_name(reception_client: Client) -> None:
    sarah = _patient(nhs_number=VALID_NHS_NUMBER)
    _patient(given_name="Tom", family_name="Brown")

    response = reception_client.get(URL, {"q": "sarah jon"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "JONES, Sarah" in html
    assert "17 May 1980" in html
    assert "943 476 5919" in html
    assert "Brown" not in html
    assert f"{reverse('patients:intake_new')}?patient={sarah.pk}" in html


def test_clinician_finds_a_patient_by_nhs_number_typed_with_spaces(
    clinician_client: Client,
) -> None:
    _patient(nhs_number=VALID_NHS_NUMBER)
    _patient(given_name="Sam", family_name="Jones", nhs_number="")

    response = clinician_client.get(URL, {"q": "943 476 5919"})

    assert [p.given_name for p in response.context["patients"]] == ["Sarah"]


def test_no_match_says_so_and_offers_a_new_intake(reception_client: Client) -> None:
    html = reception_client.get(URL, {"q": "Nobody"}).content.decode()
    assert "No patient matches “Nobody”" in html
    assert reverse("patients:intake_new") in html


def test_search_shows_at_most_a_page_and_says_there_are_more(
    reception_client: Client, reception: User
) -> None:
    Patient.objects.bulk_create(
        Patient(given_name=f"Pat{n}", family_name="Many", date_of_birth=date(1970, 1, 1), sex="X")
        for n in range(55)
    )
    response = reception_client.get(URL, {"q": "Many"})
    assert len(response.context["patients"]) == 50
    assert response.context["more"] is True
    assert "Showing the first 50" in response.content.decode()


def test_search_makes_a_fixed_number_of_queries(
    reception_client: Client, django_assert_max_num_queries
) -> None:
    # Session and user, then (PostgreSQL) the names looked up and the page read, and the staff
    # pages' banner (health/: one query for every heartbeat and the outbox's state).
    _patient(given_name="Sarah0")
    with CaptureQueriesContext(connection) as one:
        reception_client.get(URL, {"q": "Jones"})
    for n in range(1, 20):
        _patient(given_name=f"Sarah{n}")
    with django_assert_max_num_queries(len(one)):
        reception_client.get(URL, {"q": "Jones"})
    assert len(one) <= 6


# How a query is read.


@pytest.mark.parametrize(
    ("query", "dates", "words"),
    [
        ("Jones 14/03/1985", {date(1985, 3, 14)}, ("Jones",)),
        ("1985-03-14", {date(1985, 3, 14)}, ()),
        ("14.03.1985", {date(1985, 3, 14)}, ()),
        ("14.3.1985 sarah jones", {date(1985, 3, 14)}, ("sarah", "jones")),
        ("14-03-1985", {date(1985, 3, 14)}, ()),
        ("14/03/85", {date(1985, 3, 14)}, ()),  # 2085 is not yet
        ("01/02/20", {date(1920, 2, 1), date(2020, 2, 1)}, ()),  # either, both are past
        ("Jones, Sarah", None, ("Jones", "Sarah")),
    ],
)
def test_a_query_is_read_as_dates_of_birth_day_first_and_name_words(
    query: str, dates: set[date] | None, words: tuple[str, ...]
) -> None:
    terms = search.read(query, today=date(2026, 11, 21))
    assert terms.dates_of_birth == (None if dates is None else frozenset(dates))
    assert terms.words == words
    assert not terms.matches_nobody


@pytest.mark.parametrize(
    "query",
    [
        "943 476 5919",
        "943-476-5919",
        "9434765919",
        " 943 4765919 ",
        "\u0669\u0664\u0663 \u0664\u0667\u0666 \u0665\u0669\u0661\u0669",  # Arabic-Indic
        "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19",  # full width
    ],
)
def test_an_nhs_number_is_read_with_or_without_spaces_and_dashes(query: str) -> None:
    assert search.read(query).nhs_number == VALID_NHS_NUMBER


@pytest.mark.parametrize("query", ["31/02/1985", "Jones 1/13/1985", "14/03/1985 15/03/1985", "  "])
def test_a_date_that_is_no_date_or_an_empty_query_matches_nobody(query: str) -> None:
    assert search.read(query).matches_nobody


# What is found, on SQLite and PostgreSQL alike.


def _found(query: str) -> list[str]:
    return [f"{p.given_name} {p.family_name}" for p in Patient.objects.search_page(query, limit=51)]


def test_a_date_of_birth_with_a_name_finds_that_patient_only() -> None:
    _patient(date_of_birth=date(1985, 3, 14))
    _patient(given_name="Tom", date_of_birth=date(1990, 1, 2))  # another Jones
    _patient(given_name="Ann", family_name="Brown", date_of_birth=date(1985, 3, 14))  # same day

    for query in ("Jones 14/03/1985", "1985-03-14 jones", "14.3.1985 Sarah JONES"):
        assert _found(query) == ["Sarah Jones"], query
    assert sorted(_found("14-03-1985")) == ["Ann Brown", "Sarah Jones"]
    assert _found("Jones 15/03/1985") == []
    assert _found("Jones 31/02/1985") == []


def test_reception_finds_a_patient_by_date_of_birth_on_the_page(reception_client: Client) -> None:
    _patient(date_of_birth=date(1985, 3, 14))
    _patient(given_name="Tom", date_of_birth=date(1990, 1, 2))

    response = reception_client.get(URL, {"q": "Jones 14/03/1985"})

    assert [p.given_name for p in response.context["patients"]] == ["Sarah"]


def test_one_or_two_letters_find_the_start_of_a_name_or_of_a_part_of_it() -> None:
    for given, family in [
        ("Sarah", "Jones"),
        ("Joanna", "Brown"),
        ("Tom", "Smith-Jones"),
        ("Mary Jo", "Evans"),
        ("Kate", "Bojo"),  # "jo", but not at a start
        ("Ann", "O'Jordan"),
    ]:
        _patient(given_name=given, family_name=family)

    assert sorted(_found("Jo")) == [
        "Ann O'Jordan",
        "Joanna Brown",
        "Mary Jo Evans",
        "Sarah Jones",
        "Tom Smith-Jones",
    ]
    assert sorted(_found("j")) == sorted(_found("Jo"))


def test_three_letters_or_more_are_found_anywhere_in_a_name() -> None:
    _patient(given_name="Sarah", family_name="Jones")
    _patient(given_name="Joanna", family_name="Brown")
    _patient(given_name="Ann", family_name="Kerr")

    assert _found("ones") == ["Sarah Jones"]
    assert sorted(_found("ANN")) == ["Ann Kerr", "Joanna Brown"]
    assert _found("sarah jon") == ["Sarah Jones"]
    assert _found("jones, sarah") == ["Sarah Jones"]
    assert _found("xyz") == []


def test_like_wildcards_typed_in_a_query_are_letters() -> None:
    _patient(given_name="Sarah", family_name="Jones")
    _patient(given_name="A_b", family_name="100%")

    assert _found("00%") == ["A_b 100%"]
    assert _found("a_b") == ["A_b 100%"]
    assert _found("j_nes") == []
    assert _found("jo%") == []


def test_a_full_name_with_many_namesakes_shows_the_first_page_in_order(
    reception_client: Client,
) -> None:
    # Many Joneses, many Johns, and John Jones: the first page is the first 50 by family name,
    # given name and date of birth, the same as reading every match and sorting.
    Patient.objects.bulk_create(
        Patient(
            given_name=given, family_name=family, date_of_birth=date(1950 + n % 50, 1, 1), sex="X"
        )
        for n in range(70)
        for given, family in [("John", f"Able{n:02}"), (f"Zed{n:02}", "Jones"), ("John", "Jones")]
    )
    for query in ("jo", "John", "jones", "john jones", "j jones", "John J", "ones"):
        every = Patient.objects.filter(pk__in=Patient.objects.search(query).values("pk"))
        first_page = every.order_by("family_name", "given_name", "date_of_birth", "pk")[:51]
        assert [p.pk for p in Patient.objects.search_page(query, limit=51)] == [
            p.pk for p in first_page
        ]

    response = reception_client.get(URL, {"q": "jones"})
    shown = [(p.family_name, p.given_name) for p in response.context["patients"]]
    assert shown[0] == ("Jones", "John") and len(shown) == 50 and response.context["more"]
    assert shown == sorted(shown)


def test_a_search_keeps_the_filters_it_was_asked_on_and_can_be_filtered_further() -> None:
    _patient(given_name="Sarah", sex="F")
    _patient(given_name="Tom", sex="M")

    assert [
        p.given_name for p in Patient.objects.filter(sex="M").search_page("jones", limit=51)
    ] == ["Tom"]
    assert [p.given_name for p in Patient.objects.search("jones").filter(sex="F")[:51]] == ["Sarah"]
    assert Patient.objects.search("jones").count() == 2
    assert Patient.objects.search("jones")[1:2].get().given_name == "Tom"


def test_a_renamed_patient_is_found_by_the_new_name_only() -> None:
    patient = _patient(given_name="Sarah", family_name="Jonse")
    Patient.objects.filter(pk=patient.pk).update(family_name="Jones")

    assert _found("jones") == ["Sarah Jones"]
    assert _found("jonse") == []


# PostgreSQL: the indexes are used.


def _plan(sql: str, params: object = ()) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _many_patients(count: int = 3000) -> None:
    """Enough patients (and names) for the planner to prefer an index where it helps, with the
    statistics autovacuum would have gathered; and, for the rest of the test's transaction, no
    sequential scan where an index will do, so that the plans do not depend on the figures."""
    Patient.objects.bulk_create(
        Patient(
            given_name=f"Given{n % 300}",
            family_name=f"Family{n:04}",
            date_of_birth=date(1920 + n % 100, 1 + n % 12, 1 + n % 28),
            sex="X",
        )
        for n in range(count)
    )
    with connection.cursor() as cursor:
        # New names wait in the trigram index's pending list until (auto)vacuum: merge them.
        cursor.execute("SELECT gin_clean_pending_list('patient_name_trgm_idx'::regclass)")
        cursor.execute("ANALYZE patients_patient")
        cursor.execute("ANALYZE patients_patient_name")
        cursor.execute("SET LOCAL enable_seqscan = off")


@pytest.mark.postgres
def test_the_migration_created_pg_trgm_and_the_search_indexes() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'patients_patient%'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert {
        "patient_name_trgm_idx",
        "patient_family_name_hash_idx",
        "patient_given_name_idx",
        "patient_search_order_idx",
        "patient_dob_idx",
        "patient_name_dob_idx",
    } <= indexes


@pytest.mark.postgres
def test_a_search_for_part_of_a_name_reads_indexes_not_the_tables() -> None:
    # A family name hundreds share: the first page reads 51 of them in order, no more.
    Patient.objects.bulk_create(
        Patient(given_name=f"Given{n}", family_name="Goldsmith", date_of_birth=date(1980, 1, 1))
        for n in range(300)
    )
    _many_patients()

    # The words among the names: the trigram index.
    condition, params = search._names_condition("smith")
    names = _plan(f"SELECT name FROM patients_patient_name WHERE {condition}", params)  # noqa: S608
    assert "patient_name_trgm_idx" in names and "Seq Scan" not in names
    # The patients with those names, in order: the search-order index, not the table.
    first_page = Patient.objects.search_page("smith", limit=51).explain()
    assert "Index Only Scan using patient_search_order_idx" in first_page
    assert "Seq Scan" not in first_page
    # And as a filter (the queue's): the hash index on family name.
    every = Patient.objects.search("smith").explain()
    assert "patient_family_name_hash_idx" in every and "Seq Scan" not in every


@pytest.mark.postgres
def test_a_search_by_date_of_birth_reads_its_index() -> None:
    _many_patients()

    plan = Patient.objects.search_page("14/03/1985", limit=51).explain()

    assert "patient_dob_idx" in plan and "Seq Scan" not in plan


@pytest.mark.postgres
def test_only_a_query_that_says_so_walks_the_search_order_index() -> None:
    # A query ordered by name with another filter (the admin's search, say) never walks the
    # search-order index, however cheap the planner thinks it: a common family name late in
    # the alphabet would have it read most patients in name order first.
    _many_patients()
    plan = (
        Patient.objects.filter(email__icontains="smith")
        .order_by("family_name", "given_name", "date_of_birth")[:51]
        .explain()
    )
    assert "patient_search_order_idx" not in plan


@pytest.mark.postgres
def test_matching_by_name_and_birthday_reads_the_name_and_birthday_index() -> None:
    # patients.services matches lower(name) = lower(typed): the expressions of patient_name_dob_idx.
    _patient(given_name="Sarah", family_name="Jones", date_of_birth=date(1980, 5, 17))
    # Many born the same day: the date-of-birth index alone narrows it little, so the plan
    # (from statistics ANALYZE reads in full at this size) is the name index's every time.
    Patient.objects.bulk_create(
        Patient(given_name=f"Twin{n}", family_name=f"Same{n}", date_of_birth=date(1980, 5, 17))
        for n in range(600)
    )
    _many_patients()
    with CaptureQueriesContext(connection) as queries:
        find_returning_patient(
            patient_details(
                given_name="Sarah", family_name="JONES", date_of_birth=date(1980, 5, 17)
            )
        )
    matching = [q["sql"] for q in queries.captured_queries if "patients_patient" in q["sql"]]
    assert matching
    for sql in matching:
        plan = _plan(sql)
        assert "patient_name_dob_idx" in plan and "Seq Scan" not in plan, plan
    legacy = Patient.objects.alias(lower_family=Lower("family_name")).filter(lower_family="jones")
    assert "patient_name_dob_idx" in legacy.explain()


@pytest.mark.postgres
def test_the_names_table_keeps_every_name_written_by_any_path() -> None:
    Patient.objects.bulk_create(
        [
            Patient(given_name="Bulk", family_name="Created", date_of_birth=date(1970, 1, 1)),
            Patient(given_name="Second", family_name="Created", date_of_birth=date(1971, 1, 1)),
        ]
    )
    patient = _patient(given_name="Saved", family_name="Once", nhs_number=OTHER_VALID_NHS_NUMBER)
    patient.family_name = "Twice"
    patient.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT part, name FROM patients_patient_name")
        names = set(cursor.fetchall())
    assert {
        ("given", "Bulk"),
        ("given", "Second"),
        ("family", "Created"),
        ("given", "Saved"),
        ("family", "Once"),
        ("family", "Twice"),
    } <= names
    assert _found("twice") == ["Saved Twice"]


def test_without_rights_to_create_pg_trgm_the_migration_warns_and_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    migration = importlib.import_module("patients.migrations.0003_patient_search")

    class Editor:
        """A schema editor on PostgreSQL for a role that may not create extensions."""

        class connection:
            vendor = "postgresql"
            alias = "default"

        def __init__(self) -> None:
            self.executed: list[str] = []

        def execute(self, sql: str) -> None:
            if "CREATE EXTENSION" in sql:
                raise DatabaseError('permission denied to create extension "pg_trgm"\nHINT: ...')
            self.executed.append(sql)

    editor = Editor()
    with caplog.at_level(logging.WARNING):
        migration.create_names(None, editor)

    assert editor.executed == [migration.CREATE_NAMES]  # the names, their triggers and indexes
    assert "pg_trgm could not be created (permission denied" in caplog.text
