"""The queue and the case page answer every input clearly: a search or a page link the queue
cannot use is refused with a message, an id past a bigint is not found, free text that could hide
or reverse what another clinician reads is refused beside its field, and a refusal because the
case changed hands keeps what the clinician typed and says why."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.patients.helpers import make_intake, patient_details
from triage.models import Case, CaseDecision, Urgency, UrgencyOverride
from triage.services import claim_case, discharge_case

pytestmark = pytest.mark.django_db

QUEUE = reverse("triage:queue")
HTMX = {"HX-Request": "true"}
PAST_A_BIGINT = "99999999999999999999"
RIGHT_TO_LEFT_OVERRIDE = "\u202e"
ZERO_WIDTH_SPACE = "\u200b"


@pytest.fixture
def case(reception: User) -> Case:
    intake = make_intake(
        entered_by=reception, details=patient_details(given_name="Pat", family_name="Jones")
    )
    return Case.objects.get(pk=intake.assessment.case_id)


@pytest.fixture
def other_case(reception: User) -> Case:
    intake = make_intake(
        entered_by=reception, details=patient_details(given_name="Sam", family_name="Smith")
    )
    return Case.objects.get(pk=intake.assessment.case_id)


def _names(response: object) -> list[str]:
    return [row.name for row in response.context["rows"]]  # type: ignore[attr-defined]


# --- The queue's search and page links ----------------------------------------------------------


@pytest.mark.postgres  # PostgreSQL refuses a NUL in a string; SQLite lets it through
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx refresh"])
def test_a_search_with_a_nul_is_refused_with_a_message_not_a_server_error(
    carl_client: Client, case: Case, other_case: Case, headers: dict[str, str]
) -> None:
    response = carl_client.get(QUEUE, {"q": "Jo\x00nes"}, headers=headers)

    assert response.status_code == 200
    assert "Search not run: Remove the control character" in response.content.decode()
    # the other filters and the rest of the queue are shown, and every refresh says it again
    assert sorted(_names(response)) == ["Pat Jones", "Sam Smith"]
    assert "q=Jo%00nes" in response.context["refresh_url"]


@pytest.mark.parametrize(
    "search",
    [f"{RIGHT_TO_LEFT_OVERRIDE}senoJ", ZERO_WIDTH_SPACE * 2],
    ids=["right-to-left override", "only invisible characters"],
)
def test_a_search_that_could_hide_what_it_says_is_refused_with_a_message(
    carl_client: Client, case: Case, search: str
) -> None:
    response = carl_client.get(QUEUE, {"q": search})

    assert response.status_code == 200
    assert "Search not run:" in response.content.decode()
    assert response.context["filters"].search == ""


def test_a_plain_search_still_narrows_the_queue(
    carl_client: Client, case: Case, other_case: Case
) -> None:
    response = carl_client.get(QUEUE, {"q": "Jones"})
    assert _names(response) == ["Pat Jones"]
    assert "Search not run" not in response.content.decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "\u0663-\u0661-\u0661",  # Arabic-Indic digits: Python's int() reads them, the queue never writes them
        f"5-{PAST_A_BIGINT}-1",
        f"5-0-{PAST_A_BIGINT}",
        f"{PAST_A_BIGINT}-0-1",
        "9-0-1",  # no such urgency
        "5-0-1-2",
        "-5-0-1",
        "5--1-1",
        "5_0-1-1",
        "../../",
        "\x00",
        "",
    ],
)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_page_link_the_queue_did_not_write_shows_the_top_with_a_note(
    carl_client: Client, case: Case, other_case: Case, cursor: str, direction: str
) -> None:
    response = carl_client.get(QUEUE, {direction: cursor})

    assert response.status_code == 200
    assert len(response.context["rows"]) == 2
    noted = "That page of the queue does not exist" in response.content.decode()
    assert noted == bool(cursor)


def test_a_page_link_the_queue_wrote_still_works(
    carl_client: Client, case: Case, other_case: Case
) -> None:
    first = carl_client.get(QUEUE).context["rows"][0].case
    from triage.queue_views import Cursor

    response = carl_client.get(QUEUE, {"after": str(Cursor.of(first))})

    assert len(response.context["rows"]) == 1
    assert "does not exist" not in response.content.decode()


# --- Ids past a bigint -----------------------------------------------------------------------


@pytest.mark.postgres  # PostgreSQL refuses to compare a bigint with a number past it
@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("triage:case_detail", "get"),
        ("triage:case_claim", "post"),
        ("triage:case_release", "post"),
        ("triage:case_override", "post"),
        ("triage:case_discharge", "post"),
        ("referrals:referral_new", "get"),
        ("programmes:prescribe", "get"),
        ("programmes:approve", "post"),
    ],
)
def test_a_case_id_past_a_bigint_is_not_found(carl_client: Client, name: str, method: str) -> None:
    path = reverse(name, args=[1]).replace("/1/", f"/{PAST_A_BIGINT}/")

    response = getattr(carl_client, method)(path, {"advice": "Rest", "reason": "Why"})

    assert response.status_code == 404


# --- Free text on the case page -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        (f"Looks {RIGHT_TO_LEFT_OVERRIDE}benign", "Remove the hidden text-direction character"),
        (ZERO_WIDTH_SPACE * 3, "Enter visible text"),
        ("Seen\x1b today", "Remove the control character"),
    ],
    ids=["right-to-left override", "only invisible characters", "control character"],
)
def test_an_override_reason_that_could_hide_text_is_refused_beside_it(
    carl_client: Client, case: Case, reason: str, message: str
) -> None:
    response = carl_client.post(
        reverse("triage:case_override", args=[case.pk]),
        {"to_urgency": Urgency.URGENT, "reason": reason},
    )

    assert response.status_code == 400
    form = response.context["override_form"]
    assert message in " ".join(form.errors["reason"])
    assert not UrgencyOverride.objects.exists()


def test_discharge_advice_with_a_right_to_left_override_is_refused_beside_it(
    carl_client: Client, case: Case
) -> None:
    response = carl_client.post(
        reverse("triage:case_discharge", args=[case.pk]),
        {"advice": f"Rest {RIGHT_TO_LEFT_OVERRIDE}and walk"},
    )

    assert response.status_code == 400
    assert "Remove the hidden text-direction character" in " ".join(
        response.context["discharge_form"].errors["advice"]
    )
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_a_multiline_reason_keeps_its_line_breaks(carl_client: Client, case: Case) -> None:
    carl_client.post(
        reverse("triage:case_override", args=[case.pk]),
        {"to_urgency": Urgency.SOON, "reason": "Night pain.\r\nSeen today."},
    )
    assert UrgencyOverride.objects.get().reason == "Night pain.\r\nSeen today."


# --- A refusal because the case changed hands keeps what was typed -------------------------------


def test_an_override_refused_because_another_clinician_claimed_the_case_keeps_the_reason(
    carl_client: Client, dana: User, case: Case
) -> None:
    # Given Carl has the case page open, and Dana claims the case before he submits
    assert carl_client.get(case.get_absolute_url()).status_code == 200
    claim_case(case_id=case.pk, clinician=dana)

    # When Carl submits his override with its reason
    response = carl_client.post(
        reverse("triage:case_override", args=[case.pk]),
        {"to_urgency": Urgency.URGENT, "reason": "Night pain, waking her every night"},
    )

    # Then it is refused, his reason is still in the form, and the page says why
    assert response.status_code == 409
    html = response.content.decode()
    assert "Night pain, waking her every night" in html
    assert "Not overridden: Dana Dee has already claimed this case." in html
    form = response.context["override_form"]
    assert form["reason"].value() == "Night pain, waking her every night"
    assert str(form["to_urgency"].value()) == str(Urgency.URGENT.value)
    assert not UrgencyOverride.objects.exists()
    assert Case.objects.get(pk=case.pk).urgency == case.urgency


def test_an_override_refused_because_the_case_closed_meanwhile_keeps_the_reason(
    carl_client: Client, dana: User, case: Case
) -> None:
    discharge_case(case_id=case.pk, clinician=dana, advice="Rest")

    response = carl_client.post(
        reverse("triage:case_override", args=[case.pk]),
        {"to_urgency": Urgency.URGENT, "reason": "Worse since the morning"},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Worse since the morning" in html
    assert "Not overridden: This case is closed" in html


def test_a_discharge_refused_because_another_clinician_claimed_the_case_keeps_the_advice(
    carl_client: Client, dana: User, case: Case
) -> None:
    claim_case(case_id=case.pk, clinician=dana)

    response = carl_client.post(
        reverse("triage:case_discharge", args=[case.pk]),
        {"advice": "Gentle range-of-movement exercises twice a day"},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Gentle range-of-movement exercises twice a day" in html
    assert "Not discharged: Dana Dee has already claimed this case." in html
    assert not CaseDecision.objects.exists()
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_a_claim_refused_because_another_clinician_claimed_first_says_who(
    carl_client: Client, dana: User, case: Case
) -> None:
    # A claim and a release carry no typed text: the refusal says who has the case.
    claim_case(case_id=case.pk, clinician=dana)

    response = carl_client.post(reverse("triage:case_claim", args=[case.pk]), follow=True)

    assert "Dana Dee has already claimed this case" in response.content.decode()
    assert Case.objects.get(pk=case.pk).claimed_by == dana
