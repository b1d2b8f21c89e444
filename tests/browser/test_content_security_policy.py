"""The pages under the Content-Security-Policy in Chromium: a whole journey (reception's intake
and its outcome, the queue refreshing itself, the case claimed, a referral, a programme
prescribed, the patient's own page by its link and their check-in) and the admin pages staff use
run without a single violation, and what the templates once laid out with style="" still looks
the same from the clinic's stylesheet.

Every violation is caught twice over: the document's `securitypolicyviolation` event (listened
for before any page script runs) and Chromium's console error. The test checks its own listener
at the end by breaking the policy on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route, expect

from clinic.middleware import CONTENT_SECURITY_POLICY
from outbox.models import Message
from patients.models import Intake
from programmes.links import page_url
from programmes.models import Programme
from programmes.ndi import SECTIONS
from programmes.screen import SCREEN_QUESTIONS
from programmes.seed import seed_library
from referrals.models import Referral
from tests.browser.axe import AXE_JS
from tests.browser.test_reception_intake import NO, YES, _answer
from tests.patients.helpers import PASSWORD, make_user
from tests.referrals.factories import make_destination
from tests.support.two_factor import authenticator, code, code_for_secret
from triage.models import Urgency
from triage.rules import QUESTIONS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clock"),
]

# Before any script of the page: every violation the document reports, with where it happened.
LISTEN = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolation(event.sourceFile, [location.pathname, event.violatedDirective,
                        event.blockedURI, event.sourceFile + ":" + event.lineNumber].join(" "));
}, true);
"""
HIGHLIGHT = "rgb(255, 243, 196)"  # --highlight in clinic.css


@dataclass
class Watch:
    """What went wrong in any page of any context the test opened.

    A violation caused by the page (its markup, or a script file it loaded) names its source:
    the page's or the script's address. One with no source came from code the test put in
    through the DevTools protocol, as Playwright's evaluate() does and axe-core does
    (tests/browser/axe.py: it adds <style> elements of its own while it checks, which the policy
    refuses): that is the test's tooling, kept apart, never the clinic's pages.
    """

    violations: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    tooling: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)

    def on_violation(self, source_file: str, text: str) -> None:
        (self.violations if source_file else self.tooling).append(text)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            where = message.location.get("url")
            # axe-core's own script (an init script, tests/browser/axe.py) is tooling too.
            ours = where and where != str(AXE_JS)
            (self.console if ours else self.tooling).append(f"{where}: {message.text}")

    def open(self, chromium: Browser, **options: object) -> Page:
        # Reduced motion: Bootstrap then draws a button's hover at once, so axe-core, checking
        # the page just as a button is pressed, never sees its colours halfway through a fade.
        options = {
            "viewport": {"width": 1280, "height": 900},
            "locale": "en-GB",
            "reduced_motion": "reduce",
        } | options
        context = chromium.new_context(**options)  # type: ignore[arg-type]
        self.contexts.append(context)
        context.expose_binding(
            "__cspViolation",
            lambda _source, source_file, text: self.on_violation(source_file, text),
        )
        context.add_init_script(LISTEN)
        context.on("console", self.on_console)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def assert_clean(self) -> None:
        assert self.violations == []
        assert self.console == []
        assert self.errors == []


@pytest.fixture
def watch(chromium: Browser) -> Iterator[Watch]:
    watch = Watch()
    yield watch
    for context in watch.contexts:
        context.close()


def sign_in(page: Page, url: str, username: str) -> None:
    """The password, then the second factor where the role asks for one: a first sign-in sets up
    an authenticator (its QR code drawn on the page, then the backup codes), a later one takes
    the code of the authenticator the user has."""
    response = page.goto(f"{url}/accounts/login/")
    assert response is not None
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    if "/two-factor/set-up/" in page.url:
        expect(page.locator(".two-factor-setup svg")).to_be_visible()
        page.fill("#id_code", code_for_secret(page.locator("#secret").inner_text()))
        page.get_by_role("button", name="Turn on two-factor authentication").click()
        expect(page.locator(".backup-codes li")).to_have_count(10)
        page.get_by_role("link", name="I have kept them: continue").click()
    elif "/two-factor/code/" in page.url:
        user = User.objects.get(username=username)
        page.fill("#id_code", code(authenticator(user)))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda address: "/two-factor/" not in address)


def style(page: Page, selector: str, prop: str) -> str:
    return str(page.locator(selector).first.evaluate(f"e => getComputedStyle(e).{prop}"))


def width(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return float(box["width"])


def test_a_whole_journey_runs_under_the_policy(
    live_server, chromium: Browser, watch: Watch
) -> None:
    url = live_server.url
    make_user(role="reception", username="rita", first_name="Rita", last_name="Reed")
    make_user(role="clinician", username="cara", first_name="Cara", last_name="Hale")
    make_destination()
    seed_library()  # the migration's library is gone after an earlier transactional test

    # Reception enters an intake (the form's own script hides and shows the injury question)...
    reception = watch.open(chromium)
    sign_in(reception, url, "rita")
    expect(reception.get_by_role("heading", name="New intake")).to_be_visible()
    reception.fill("#id_given_name", "Ada")
    reception.fill("#id_family_name", "Lovelace")
    reception.fill("#id_date_of_birth", "1970-05-01")
    reception.check("#id_sex_1")
    reception.fill("#id_email", "ada@example.org")
    _answer(reception, "email_consent", YES)
    reception.check("input[name=pain_region][value=neck]")
    reception.fill("#id_duration_days", "42")
    reception.check("#id_pain_score_now_5")
    for question in QUESTIONS:
        if question.kind is bool:
            _answer(reception, question.name, NO)
    mechanism = reception.locator("#div_id_trauma_mechanism")
    expect(mechanism).to_be_hidden()
    _answer(reception, "recent_significant_trauma", YES)
    expect(mechanism).to_be_visible()
    _answer(reception, "recent_significant_trauma", NO)
    reception.click("#intake-form button[type=submit]")

    # ...and sees the outcome, whose Print button comes from a script file now, not onclick="".
    expect(reception.get_by_role("heading", name="Triage outcome for Ada Lovelace")).to_be_visible()
    expect(reception.get_by_role("button", name="Print")).to_be_visible()
    intake = Intake.objects.select_related("assessment").get()
    assert intake.assessment.urgency == Urgency.SELF_CARE
    reception.goto(f"{url}/patients/?q=Lovelace")
    expect(reception.locator("main")).to_contain_text("Ada Lovelace")

    # The clinician's queue refreshes itself (htmx, without eval or its inline indicator style).
    clinician = watch.open(chromium)
    sign_in(clinician, url, "cara")
    clinician.goto(f"{url}/triage/queue/")
    queue = clinician.locator("#queue")
    expect(queue).to_contain_text("Ada Lovelace")
    assert clinician.evaluate("[htmx.config.allowEval, htmx.config.includeIndicatorStyles]") == [
        False,
        False,
    ]
    # The table drawn with the page is marked; within 8 s a refresh has put a fresh one there.
    clinician.evaluate("document.getElementById('queue').dataset.drawnWithThePage = 'yes'")
    expect(clinician.locator("#queue[data-drawn-with-the-page]")).to_have_count(0, timeout=8_000)
    expect(queue).to_contain_text("Ada Lovelace")
    assert clinician.evaluate("document.querySelectorAll('style').length") == 0
    clinician.select_option("select[name=urgency]", "SELF_CARE")
    expect(clinician).to_have_url(re.compile(r"urgency=SELF_CARE"))
    expect(queue).to_contain_text("Ada Lovelace")

    # The case: the highlighted answers' key and the answers' column keep their look...
    queue.get_by_role("link", name="Ada Lovelace").click()
    expect(clinician.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()
    assert style(clinician, ".answer-fired-key", "backgroundColor") == HIGHLIGHT
    answers = width(clinician, ".answers-table")
    assert width(clinician, ".answers-table td.answer") == pytest.approx(answers * 0.3, abs=2)

    # ...she claims it...
    clinician.get_by_role("button", name="Claim this case").click()
    expect(clinician.locator("#case-claim")).to_contain_text("Claimed by Cara Hale (you)")

    # ...refers the patient and prints the letter, which keeps its line breaks...
    clinician.get_by_role("link", name="Refer the patient").click()
    clinician.locator("select[name=destination]").select_option(index=1)
    clinician.get_by_role("button", name="Write the letter").click()
    expect(clinician.get_by_role("heading", name="Letter for Ada Lovelace")).to_be_visible()
    clinician.get_by_role("button", name="Mark printed and handed to the patient").click()
    expect(clinician.locator("pre.letter-text")).to_be_visible()
    assert style(clinician, "pre.letter-text", "whiteSpace") == "pre-wrap"
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.PRINTED

    # ...and prescribes a programme: the dose cells keep their limit.
    clinician.goto(f"{url}/triage/cases/{intake.assessment.case_id}/")
    clinician.locator("#prescribe-link").click()
    clinician.locator("#template-option-desk-posture-mobility input[type=radio]").check()
    # Starting today (the default is tomorrow), so that the patient can log a session today.
    clinician.fill("#id_start", timezone.localdate().isoformat())
    clinician.get_by_role("button", name="Next: check the exercises").click()
    assert style(clinician, "td.dose-cell", "maxWidth") == "96px"
    clinician.get_by_role("button", name="Prescribe and email the programme").click()
    programme = Programme.objects.get()
    expect(clinician.locator(f"#programme-{programme.pk}")).to_be_visible()

    # The case page's charts are drawn at their own size, no wider.
    for chart in ("pain-chart", "ndi-chart", "adherence-chart"):
        svg = f"#{chart}-{programme.pk}"
        expect(clinician.locator(svg)).to_be_visible()
        assert 200 < width(clinician, svg) <= 560

    # The outbox's status tiles kept their look when their <style> moved to clinic.css.
    clinician.goto(f"{url}/outbox/")
    assert style(clinician, "a.count-tile", "display") == "block"
    assert style(clinician, "#count-pending", "borderLeftColor") == "rgb(108, 117, 125)"
    assert style(clinician, "#count-all", "outlineStyle") == "solid"  # the one chosen

    # A missing page keeps its narrow panel.
    clinician.goto(f"{url}/no-such-page/")
    assert width(clinician, ".panel-narrow") <= 640.5

    # The patient opens their page from the programme email, on a phone, and checks in.
    assert Message.objects.filter(kind=Message.Kind.PROGRAMME).exists()
    patient = watch.open(
        chromium,
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
    )
    patient.goto(url + page_url(programme, absolute=False))
    expect(patient.get_by_role("heading", level=1)).to_contain_text("Hello Ada")
    patient.check("input[name='felt'][value='right']")
    patient.get_by_role("button", name="Save this session").click()
    expect(patient.get_by_role("status").first).to_be_visible()
    patient.get_by_role("link", name="starting questionnaire", exact=False).first.click()
    patient.check("input[name='pain'][value='4']")
    for section in SECTIONS:
        patient.check(f"input[name='ndi_{section.key}'][value='1']")
    for screen_question in SCREEN_QUESTIONS:
        patient.check(f"input[name='{screen_question.field}'][value='no']")
    patient.get_by_role("button", name="Send", exact=False).click()
    expect(patient.locator("body")).to_contain_text("What happens next")
    assert programme.check_ins.get(week=0).completed_at is not None

    # Then nothing, anywhere, broke the policy...
    watch.assert_clean()

    # ...and the watch does hear one: the patient's page once more, with a style attribute put
    # in its markup on the way (the server's policy still on it), is reported with its address.
    link = url + page_url(programme, absolute=False)

    def with_a_style_attribute(route: Route) -> None:
        response = route.fetch()
        body = response.text().replace("<main ", '<main style="color: rgb(255, 0, 0)" ', 1)
        route.fulfill(response=response, body=body)

    patient.route(link, with_a_style_attribute)
    patient.goto(link)
    expect(patient.locator("main[style]")).not_to_have_css("color", "rgb(255, 0, 0)")
    path = link.removeprefix(url)
    assert [v for v in watch.violations if v.startswith(f"{path} style-src-attr inline {link}:")]
    assert [message for message in watch.console if message.startswith(link)]


def test_the_admin_pages_staff_use_run_under_the_policy(
    live_server, chromium: Browser, watch: Watch
) -> None:
    url = live_server.url
    admin = make_user(role=None, username="root", is_staff=True, is_superuser=True)
    reception = make_user(role="reception", username="rita")
    make_user(role="clinician", username="cara")
    make_destination()
    seed_library()  # the migration's library is gone after an earlier transactional test
    # axe-core checks the admin too (tests/browser/axe.py): Django's own failings are fixed in
    # templates/admin/, static/clinic/admin.css and clinic/admin_widgets.py.
    page = watch.open(chromium)

    # The admin's own sign-in page, the code of the admin's authenticator, then its index.
    authenticator(admin)
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    if "/two-factor/code/" in page.url:
        page.fill("#id_code", code(authenticator(admin)))
        page.get_by_role("button", name="Continue").click()
    page.goto(f"{url}/admin/")
    expect(page.locator("#site-name")).to_be_visible()

    # Every list page (with its filters and search), and an add page of each model.
    links = page.locator("#content-main a[href$='/']").evaluate_all(
        "links => [...new Set(links.map(a => a.getAttribute('href')))]"
    )
    changelists = [href for href in links if not href.endswith("/add/")]
    assert len(changelists) >= 10
    for href in changelists:
        page.goto(url + href)
        expect(page.locator("#changelist, #content-main").first).to_be_visible()
    for href in (href for href in links if href.endswith("/add/")):
        page.goto(url + href)
        expect(page.locator("#content-main form").first).to_be_visible()

    # A member of staff given a role (the roles are checkboxes) and saved...
    page.goto(f"{url}/admin/auth/user/{reception.pk}/change/")
    page.get_by_label("clinician", exact=True).check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert reception.groups.filter(name="clinician").exists()

    # ...an exercise whose slug the admin's script writes from its name...
    page.goto(f"{url}/admin/programmes/exercise/add/")
    page.locator("#id_name").press_sequentially("Wall angel")
    expect(page.locator("#id_slug")).to_have_value("wall-angel")

    # ...a duty slot's start from the clock shortcut...
    page.goto(f"{url}/admin/triage/dutyslot/add/")
    page.locator("#clocklink0").click()
    expect(page.locator("#clockbox0")).to_be_visible()
    page.locator("#clockbox0").get_by_text("Noon").click()
    expect(page.locator("#id_starts")).not_to_have_value("")

    # ...a phase's exercise chosen from the library's list, a new row added by the admin's
    # inline script, and a template's add page in the admin's pop-up window...
    page.goto(f"{url}/admin/programmes/templatephase/add/")
    exercise = page.locator("#id_exercises-0-exercise")
    exercise.select_option(index=1)
    expect(exercise).not_to_have_value("")
    page.get_by_text("Add another", exact=False).first.click()
    expect(page.locator("#id_exercises-1-exercise")).to_be_visible()
    with page.expect_popup() as opened:
        page.locator("#add_id_template").click()
    popup = opened.value
    expect(popup.locator("#content-main form")).to_be_visible()
    popup.close()

    # ...and a change list's action, up to its confirmation.
    page.goto(f"{url}/admin/referrals/destination/")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("delete_selected")
    page.locator("button[name=index]").click()
    expect(page.locator("#content")).to_contain_text("Are you sure")

    watch.assert_clean()
