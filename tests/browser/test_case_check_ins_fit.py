"""The case page's check-ins table, for a programme with several check-ins answered (one sent
back to triage with its red flags and reasons), stays in its box: on a laptop's 1366 by 768 it
fits without scrolling; on a 375-pixel phone it scrolls inside its own labelled box, which the
keyboard can reach, and the page itself never scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from programmes.models import Programme
from tests.browser.test_programme_page import PHONE, phone_page
from tests.patients.helpers import PASSWORD, make_user
from tests.programmes.helpers import prescribe
from tests.programmes.test_check_ins import all_no, answer, at_week
from tests.support.clock import Clock
from tests.support.two_factor import sign_in_page

LAPTOP = {"width": 1366, "height": 768}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The table, the box it sits in, and the page: their widths, and how the box is named.
MEASURE = """(selector) => {
  const table = document.querySelector(selector);
  const box = table.parentElement;
  const labelledBy = box.getAttribute("aria-labelledby");
  const label = labelledBy ? document.getElementById(labelledBy) : null;
  return {
    table: table.scrollWidth,
    box: box.clientWidth,
    boxScrolls: box.scrollWidth > box.clientWidth,
    overflowX: getComputedStyle(box).overflowX,
    boxRight: box.getBoundingClientRect().right,
    page: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    role: box.getAttribute("role"),
    tabindex: box.getAttribute("tabindex"),
    label: label ? label.textContent.trim() : null,
    labelShown: label ? label.getBoundingClientRect().height > 0 && !label.closest(".visually-hidden") : false,
  };
}"""


@pytest.fixture
def many_check_ins(clock: Clock) -> Programme:
    """A programme (the patient's name a long one) four check-ins in: the starting questionnaire
    with its NDI, weeks 1 and 2 answered, week 4 back to triage with two red flags."""
    programme = prescribe(start=clock.now.date())
    answer(programme, 0, pain=5)
    clock.move_to(at_week(programme, 1))
    answer(programme, 1, pain=4, sessions_done=2)
    clock.move_to(at_week(programme, 2))
    answer(programme, 2, pain=3, sessions_done=3)
    clock.move_to(at_week(programme, 4))
    answer(
        programme,
        4,
        pain=9,
        sessions_done=1,
        screen_answers=all_no(numbness_or_tingling_arms=True, unexplained_weight_loss=True),
    )
    return programme


@pytest.fixture
def clinician(db: None) -> User:
    return make_user(role="clinician", username="cara", email="cara@example.org")


def _case_page(page: Page, live_server: Any, clinician: User, programme: Programme) -> None:
    sign_in_page(page, live_server.url, clinician, PASSWORD)
    page.goto(live_server.url + reverse("triage:case_detail", args=[programme.case_id]))
    expect(page.locator(f"#programme-{programme.pk} .programme-check-ins tbody tr")).to_have_count(
        programme.check_ins.count()
    )


def test_the_check_ins_table_fits_its_box_on_a_laptop(
    live_server: Any, chromium: Browser, clinician: User, many_check_ins: Programme
) -> None:
    context = chromium.new_context(viewport=LAPTOP, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    _case_page(page, live_server, clinician, many_check_ins)

    m = page.evaluate(MEASURE, f"#programme-{many_check_ins.pk} .programme-check-ins")

    assert m["table"] <= m["box"], m
    assert not m["boxScrolls"], m
    assert m["page"] <= m["viewport"], m
    context.close()


def test_the_check_ins_table_scrolls_in_its_own_labelled_box_on_a_phone(
    live_server: Any, chromium: Browser, clinician: User, many_check_ins: Programme
) -> None:
    page = phone_page(chromium)
    _case_page(page, live_server, clinician, many_check_ins)

    m = page.evaluate(MEASURE, f"#programme-{many_check_ins.pk} .programme-check-ins")

    # The page never scrolls sideways, and the box ends inside the screen.
    assert m["page"] <= PHONE["width"], m
    assert m["boxRight"] <= PHONE["width"], m
    if m["table"] > m["box"]:
        # A table wider than the phone scrolls in its box, which says what it is in words on
        # the screen and takes the keyboard's focus, so that the arrow keys scroll it.
        assert m["boxScrolls"] and m["overflowX"] == "auto", m
        assert m["role"] == "region" and m["tabindex"] == "0", m
        assert m["label"] == "Check-ins" and m["labelShown"], m
        box = page.locator(f"#programme-{many_check_ins.pk} .programme-check-ins").locator("..")
        box.focus()
        expect(box).to_be_focused()
        box.press("End")
        page.keyboard.press("ArrowRight")
        assert page.evaluate("(box) => box.scrollLeft", box.element_handle()) > 0
    page.context.close()
