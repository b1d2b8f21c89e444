"""Every page of the product, staff and patient, passes axe-core: no serious or critical
violation (tests/browser/axe.py), and no URL pattern escapes the check.

The demo data (`seed_demo`, a slice of the governance demo history, a finished rule trial) and
a few factories give every page something real to show. Then every URL pattern of the project
(`django.urls.get_resolver()`, walked recursively) is either visited, with a real object where
the pattern needs one, as the role that may see it, or named in `EXCLUDED` below with the reason
(POST-only endpoints, file downloads, the FHIR API, htmx partials, the admin's internals beyond
a few of its pages). A page added later that is neither visited nor excluded fails the test.

Staff pages are visited at 1366x768 in one browser context a role (reception, clinician, the
clinic lead who is also the admin, the clinical safety officer); the patients' pages through
their signed links at 1366x768 and again at 375 pixels wide. The key error states are visited
too: a refused submit (the error summary) of the main forms, an expired link, a 404 and a 403.
Each page is checked as soon as it has loaded (`check_now`), so no sleep is needed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from io import StringIO
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import LazySettings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect

from clinic.demo import LOGINS
from clinic.roles import Role
from examination.seed import seed_test_library
from governance import active
from governance.demo import seed_history
from governance.models import TrialRun
from governance.services import run_trial_run
from outbox.models import Message
from outcomes.models import NonResponderFlag
from patients.models import Intake, Patient
from programmes import links as programme_links
from programmes.models import Programme
from programmes.seed import seed_library
from referrals import services as referrals
from selfintake.forms import CONTRACT_STEPS
from tests.browser.axe import AxeWatch, check_now
from tests.browser.test_programme_page import PHONE
from tests.outbox.helpers import make_dead
from tests.patients.helpers import PASSWORD, make_user
from tests.programmes.helpers import prescribe
from tests.questions.helpers import ask
from tests.referrals.factories import make_destination
from tests.selfintake.helpers import BORN, fill_draft, invite, patient_with_email, self_intake
from tests.support.clock import Clock
from tests.support.two_factor import authenticator, code, code_for_secret
from triage import services as triage
from triage.models import Case

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),  # the live server sees committed rows
]

DESKTOP: ViewportSize = {"width": 1366, "height": 768}
# django-otp refuses any code for a while after a wrong one: the clock moves past that.
THROTTLED = timedelta(seconds=30)

# The admin pages visited (the Django admin's own templates, themed by static/clinic/admin.css);
# every other admin pattern is one of the admin's internals, generated per model (see below).
ADMIN_PAGES = {
    "admin:index",
    "admin:app_list",
    "admin:auth_user_changelist",
    "admin:auth_user_change",
    "admin:referrals_destination_add",
    "admin:auth_user_history",
}

# Every URL pattern not visited, by view name, and why. A pattern neither visited nor listed
# here fails the test: a new page is checked, or someone says here why it need not be.
EXCLUDED: dict[str, str] = {
    # POST only: each answers with a redirect (or 204) to a page visited here.
    "logout": "POST only (Django's LogoutView)",
    "keep_alive": "POST only: the session warning's keep-alive, answered 204",
    "patient_language": "POST only: the patient pages' language switch, then a redirect",
    "two_factor:new_backup_codes": "POST only: then the backup codes page, visited",
    "triage:case_claim": "POST only",
    "triage:case_release": "POST only",
    "triage:case_override": "POST only",
    "triage:case_discharge": "POST only",
    "outbox:retry": "POST only",
    "referrals:referral_action": "POST only (send, print, acknowledge, complete, cancel)",
    "selfintake:checked": "POST only",
    "selfintake:new_link": "POST only: the patient's 'email me a new link'",
    "programmes:approve": "POST only",
    "programmes:programme_resume": "POST only",
    "programmes:programme_stop": "POST only",
    "programmes:revoke_link": "POST only",
    "programmes:programme_review": "POST only",
    "programmes:new_link": "POST only: the patient's 'email me a new link'",
    "programmes:resubscribe": "POST only",
    "programmes:log_session": "POST only",
    "programmes:schedule": "POST only",
    "programmes:pause": "POST only",
    "programmes:resume": "POST only",
    "governance:trial_new": "POST only: then the run's page, visited",
    "governance:trial_run_retry": "POST only",
    "governance:sign_off": "POST only (its refusal is the trial page, visited)",
    "governance:choose": "POST only",
    "outcomes:reviewed": "POST only",
    # File downloads: no HTML for axe to read.
    "referrals:referral_letter": "PDF download",
    "programmes:programme_handout": "PDF download",
    "programmes:patient_handout": "PDF download",
    "programmes:exercise_media": "image or video file",
    "programmes:patient_media": "image or video file",
    "audit:subject_access_json": "JSON download",
    "audit:subject_access_pdf": "PDF download",
    "outcomes:figure_csv": "CSV download",
    # htmx partials: swapped into a page visited here, which axe checks again after each swap.
    "governance:trial_run_status": "htmx partial of the trial run's page (its live region)",
    # The FHIR API: JSON for machines, behind API tokens.
    "interop:metadata": "FHIR API (JSON)",
    "interop:openapi": "FHIR API (JSON)",
    "interop:everything": "FHIR API (JSON)",
    "interop:read": "FHIR API (JSON)",
    "interop:by_type": "FHIR API (JSON)",
    "interop:no_such_path": "FHIR API (JSON): a path it has not, answered with an OperationOutcome",
    # Monitoring probes: plain text or JSON for the load balancer and Prometheus.
    "health:healthz": "monitoring probe (plain text)",
    "health:readyz": "monitoring probe (JSON)",
    "health:metrics": "monitoring probe (Prometheus text)",
}
# The admin's internals: the add, change, delete and history views Django generates for each
# registered model, its autocomplete, JavaScript catalogue, redirects (login, logout,
# view-on-site, catch-all) and own password pages. They share the templates of ADMIN_PAGES.
ADMIN_NAMESPACE = "admin"


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str  # the view name, namespaced ("triage:case_detail"); "" for an unnamed pattern


def _join(route1: str, route2: str) -> str:
    """Joined as django.urls.URLResolver joins a ResolverMatch's route."""
    return route1 + route2.removeprefix("^") if route1 else route2


def every_pattern(
    resolver: URLResolver | None = None, route: str = "", namespace: str = ""
) -> Iterator[Pattern]:
    """Every URL pattern of the project, with its full route and namespaced name."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        joined = _join(route, str(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from every_pattern(entry, joined, inner)
        elif isinstance(entry, URLPattern):
            name = ":".join(n for n in (namespace, entry.name or "") if n) if entry.name else ""
            yield Pattern(joined, name)


def _excluded(pattern: Pattern) -> bool:
    if pattern.name in EXCLUDED:
        return True
    in_admin = pattern.name.startswith(f"{ADMIN_NAMESPACE}:") or pattern.route.startswith("admin/")
    return in_admin and pattern.name not in ADMIN_PAGES


@dataclass
class Crawl:
    """The pages visited, and axe's findings on each."""

    base: str
    watch: AxeWatch
    clock: Clock
    visited: set[str] = field(default_factory=set)  # routes
    problems: list[str] = field(default_factory=list)

    def mark(self, url: str) -> None:
        path = urlsplit(url).path
        try:
            self.visited.add(resolve(path).route)
        except Resolver404:  # a 404's path matches no pattern
            return

    def visit(
        self, page: Page, path: str, *, status: int | None = 200, redirected: bool = False
    ) -> Page:
        """Open `path` (answered `status`, on that very page unless `redirected`) and check it."""
        response = page.goto(self.base + path)
        assert response is not None
        if status is not None and response.status != status:
            self.problems.append(f"{path}: {response.status}, not {status}")
        landed = urlsplit(page.url)
        if not redirected and landed.path != urlsplit(path).path:
            self.problems.append(f"{path}: sent on to {landed.path}")
        self.mark(path)
        self.check(page)
        return page

    def check(self, page: Page) -> None:
        page.wait_for_load_state("load")
        check_now(page, self.watch)
        self.mark(page.url)

    def refuse(self, page: Page, form: str = "form[novalidate]") -> None:
        """Send the page's form as it is (empty, or as the test left it): refused, the error
        summary shows, and the page is checked so."""
        page.locator(form).first.locator("[type=submit]").last.click()
        expect(page.locator("#error-summary")).to_be_visible()
        self.check(page)


@contextlib.contextmanager
def nothing_signed_off(settings: LazySettings) -> Iterator[None]:
    """Production with no signed-off rule set chosen: every staff page warns in red, and a
    patient's answers are kept but not taken (README, "Never unsigned in production")."""
    settings.TRIAGE_UNSIGNED_RULESET_ALLOWED = False
    active.forget()  # the clinic's choice read for real: none is
    try:
        yield
    finally:
        settings.TRIAGE_UNSIGNED_RULESET_ALLOWED = True
        active.prime(active.Active(active.environment_ruleset(), False, why_unsigned="tests"))


def _groups_and_library() -> None:
    """What the migrations seed, which a transactional test before this one flushed."""
    for role in Role:
        Group.objects.get_or_create(name=str(role))
    seed_library()
    seed_test_library()


def _staff(chromium: Browser, crawl: Crawl, username: str, *, refused: bool = False) -> Page:
    """A browser context for one demo login, signed in through the sign-in and code pages."""
    login = next(demo for demo in LOGINS if demo.username == username)
    user = User.objects.get(username=username)
    context = chromium.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    crawl.visit(page, reverse("login"))
    if refused:
        page.fill("#id_username", username)
        page.fill("#id_password", "not the password")
        crawl.refuse(page, "main form")
    page.fill("#id_username", username)
    page.fill("#id_password", login.password)
    page.click("main form [type=submit]")
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    if "/accounts/two-factor/code/" in page.url:
        crawl.check(page)
        if refused:
            page.fill("#id_code", "000000")
            crawl.refuse(page, "main form")
            crawl.clock.advance(THROTTLED)
        page.fill("#id_code", code(authenticator(user)))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(lambda address: "/accounts/two-factor/" not in address)
    crawl.check(page)
    return page


def _patient_pages(crawl: Crawl, page: Page, data: dict[str, Any], *, refuse: bool) -> None:
    """The pages a patient opens through their links."""
    programme: Programme = data["programme"]
    token = programme_links.page_token(programme)
    crawl.visit(page, reverse("programmes:patient_page", args=[token]))
    crawl.visit(page, reverse("programmes:patient_page", args=[data["german_token"]]))
    crawl.visit(page, reverse("programmes:check_in", args=[token, 0]))
    if refuse:
        crawl.refuse(page)
    crawl.visit(page, reverse("programmes:check_in", args=[data["german_token"], 1]))
    crawl.visit(page, reverse("questions:ask", args=[token]))
    if refuse:
        crawl.refuse(page)
    crawl.visit(
        page, reverse("programmes:unsubscribe", args=[programme_links.unsubscribe_token(programme)])
    )
    handout = reverse("programmes:handout_link", args=[programme_links.handout_code(programme)])
    crawl.visit(page, handout, redirected=True)  # on to the programme page
    crawl.visit(page, reverse("programmes:handout_link", args=["NOTACODE"]), status=404)
    crawl.visit(page, reverse("programmes:patient_page", args=["not-a-link"]), status=404)

    # The self-intake: the date-of-birth check (refused once), every step, the answers, saved.
    link = data["intake_link"]
    crawl.visit(page, reverse("selfintake:start", args=[link]))
    if refuse:
        page.fill("#id_year", "1900")
        page.fill("#id_day", "1")
        page.fill("#id_month", "1")
        crawl.refuse(page)
    page.fill("#id_day", str(BORN.day))
    page.fill("#id_month", str(BORN.month))
    page.fill("#id_year", str(BORN.year))
    page.locator("main form [type=submit]").last.click()
    page.wait_for_url(lambda address: address.rstrip("/").split("/")[-1] != link)
    crawl.check(page)
    for step in CONTRACT_STEPS:
        crawl.visit(page, reverse("selfintake:step", args=[link, step.slug]))
    crawl.visit(page, reverse("selfintake:answers", args=[link]))
    crawl.visit(page, reverse("selfintake:saved", args=[link]))
    crawl.visit(page, reverse("selfintake:answers", args=[link]))
    if refuse:  # sent while nothing is signed off: kept, not taken, and told to phone
        with nothing_signed_off(data["settings"]):
            page.get_by_role("button", name="Send my answers").click()
            expect(page.get_by_role("heading", name="Your answers are kept")).to_be_visible()
            crawl.check(page)
        crawl.visit(page, reverse("selfintake:answers", args=[link]))
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(re.compile(r"/done/$"))
    crawl.check(page)
    crawl.visit(page, reverse("selfintake:start", args=["not-a-link"]), status=404)


@pytest.fixture
def demo(settings: LazySettings, clock: Clock) -> dict[str, Any]:
    """The demo clinic, with something on every page."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SELF_REFERRAL_ENABLED = True
    _groups_and_library()
    call_command("seed_demo", "--force", stdout=StringIO())
    clinician = User.objects.get(username="clinician")
    safety = User.objects.get(username="safety")
    seed_history(count=40, clinician=clinician)
    run = TrialRun.objects.create(candidate="2026.2-rc1", started_by=safety)
    run_trial_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.trial is not None
    # A run waiting for a worker (its page polls into a live region) and one that failed.
    waiting = TrialRun.objects.create(candidate="2026.1", started_by=safety)
    failed = TrialRun.objects.create(
        candidate="2026.2-rc1",
        started_by=safety,
        status=TrialRun.Status.FAILED,
        error="No word from the worker: it stopped or never started.",
    )
    make_dead(to_email="bounced@example.org", subject="Your programme")  # a dead email

    programme = prescribe(by=clinician, start=timezone.localdate())
    german = Programme.objects.filter(patient__preferred_language="de").first()
    assert german is not None
    question = ask(programme)
    NonResponderFlag.objects.create(
        programme=programme,
        case=programme.case,
        clinician=clinician,
        week=4,
        rule="Pain not lower by 2 points by week 4",
        sessions_done=3,
        sessions_planned=12,
        baseline_pain=6,
        pain=6,
    )

    destination = make_destination()
    flagged = Case.objects.filter(status=Case.Status.OPEN).order_by("-urgency", "pk")
    first, second = list(flagged[:2])
    draft = referrals.draft_referral(
        case_id=first.pk, destination_id=destination.pk, clinician=clinician
    )
    sent = referrals.draft_referral(
        case_id=second.pk, destination_id=destination.pk, clinician=clinician
    )
    referrals.send_referral(referral_id=sent.pk, by=clinician)

    reception = User.objects.get(username="reception")
    invited = patient_with_email(given_name="Imogen", family_name="Invited")
    invitation, link = invite(invited, reception)
    fill_draft(invitation)
    _done, answered = self_intake(
        reception, patient_with_email(given_name="Sam", family_name="Sent", email="sam@example.org")
    )
    return {
        "programme": programme,
        "german_token": programme_links.page_token(german),
        "question": question,
        "draft": draft,
        "sent": sent,
        "intake_link": link,
        "invited": invited,
        "self_intake": answered,
        "run": run,
        "runs": (waiting, failed),
        "settings": settings,
    }


def test_every_page_passes_axe(
    live_server, chromium: Any, demo: dict[str, Any], clock: Clock, settings: LazySettings
) -> None:
    watch = chromium.watch
    assert isinstance(watch, AxeWatch)
    crawl = Crawl(base=live_server.url, watch=watch, clock=clock)

    # --- Reception ---------------------------------------------------------------------------
    desk = _staff(chromium, crawl, "reception", refused=True)
    crawl.visit(desk, reverse("home"), redirected=True)
    crawl.visit(desk, reverse("patients:intake_new"))
    crawl.refuse(desk)
    demo_intake = Intake.objects.filter(source=Intake.Source.DEMO, entered_by__username="reception")
    crawl.visit(desk, reverse("patients:intake_outcome", args=[demo_intake.earliest("pk").pk]))
    crawl.visit(desk, reverse("patients:patient_search") + "?q=a")
    crawl.visit(desk, reverse("patients:patient_search"))
    crawl.visit(desk, reverse("selfintake:list"))
    crawl.visit(desk, reverse("selfintake:invite", args=[demo["invited"].pk]))
    crawl.visit(desk, reverse("selfintake:intake", args=[demo["self_intake"].pk]))
    crawl.visit(desk, reverse("staff_language"))
    crawl.visit(desk, reverse("two_factor:manage"))
    crawl.visit(desk, reverse("password_change"))
    crawl.refuse(desk)
    crawl.visit(desk, reverse("password_change_done"))
    with nothing_signed_off(settings):
        crawl.visit(desk, reverse("patients:intake_new"))
        expect(desk.locator("[data-problem=ruleset]")).to_be_visible()
    crawl.visit(desk, reverse("triage:queue"), status=403)  # not reception's page
    crawl.visit(desk, "/no-such-page/", status=404)
    desk.context.close()

    # --- Clinician ---------------------------------------------------------------------------
    first = Case.objects.get(referrals=demo["draft"])
    doctor = _staff(chromium, crawl, "clinician")
    crawl.visit(doctor, reverse("triage:queue"))
    for case in Case.objects.exclude(patient__given_name="History").order_by("pk"):
        crawl.visit(doctor, reverse("triage:case_detail", args=[case.pk]))
    closed = Case.objects.filter(patient__given_name="History").earliest("pk")
    crawl.visit(doctor, reverse("triage:case_detail", args=[closed.pk]))
    crawl.visit(doctor, reverse("triage:overrides"))
    crawl.visit(doctor, reverse("outbox:message_list"))
    crawl.visit(doctor, reverse("referrals:worklist"))
    fresh = Case.objects.filter(status=Case.Status.OPEN, referrals__isnull=True).earliest("pk")
    crawl.visit(doctor, reverse("referrals:referral_new", args=[fresh.pk]))
    crawl.refuse(doctor)
    crawl.visit(doctor, reverse("referrals:referral_edit", args=[demo["draft"].pk]))
    crawl.visit(doctor, reverse("referrals:referral_edit", args=[demo["sent"].pk]))
    triage.claim_case(case_id=fresh.pk, clinician=User.objects.get(username="clinician"))
    crawl.visit(doctor, reverse("examination:examination_new", args=[fresh.pk]))
    crawl.refuse(doctor, "#examination-form")
    unprescribed = Case.objects.filter(status=Case.Status.OPEN, programmes__isnull=True).earliest(
        "pk"
    )
    crawl.visit(doctor, reverse("programmes:prescribe", args=[unprescribed.pk]))
    crawl.visit(doctor, reverse("programmes:record_check_in", args=[demo["programme"].pk, 0]))
    crawl.refuse(doctor)
    crawl.visit(doctor, reverse("programmes:library"))
    crawl.visit(doctor, reverse("questions:worklist"))
    crawl.visit(doctor, reverse("questions:question_detail", args=[demo["question"].pk]))
    crawl.refuse(doctor)
    crawl.visit(doctor, reverse("outcomes:review"))
    crawl.visit(doctor, reverse("selfintake:list"))
    # The clinician's pages in German (their own choice of language, "Your language").
    crawl.visit(doctor, reverse("staff_language"))
    doctor.locator("form[novalidate] select").select_option("de")
    doctor.locator("form[novalidate] [type=submit]").click()
    doctor.wait_for_load_state("load")
    expect(doctor.locator("html")).to_have_attribute("lang", "de")
    for path in (
        reverse("triage:queue"),
        reverse("triage:case_detail", args=[first.pk]),
        reverse("triage:case_detail", args=[demo["programme"].case_id]),
        reverse("referrals:referral_edit", args=[demo["sent"].pk]),
        reverse("examination:examination_new", args=[fresh.pk]),
        reverse("questions:question_detail", args=[demo["question"].pk]),
        reverse("outcomes:review"),
        reverse("staff_language"),
    ):
        crawl.visit(doctor, path)
    doctor.locator("form[novalidate] select").select_option("")  # as the browser asks
    doctor.locator("form[novalidate] [type=submit]").click()
    doctor.wait_for_load_state("load")
    with nothing_signed_off(settings):
        crawl.visit(doctor, reverse("triage:queue"))
        expect(doctor.locator("[data-problem=ruleset]")).to_be_visible()
        crawl.visit(doctor, reverse("triage:case_detail", args=[fresh.pk]))
    crawl.visit(doctor, reverse("audit:index"), status=403)
    doctor.context.close()

    # --- The clinic lead, who is also the admin ----------------------------------------------
    lead = _staff(chromium, crawl, "admin")
    crawl.visit(lead, reverse("audit:index"))
    crawl.visit(lead, reverse("audit:index") + "?q=a")
    some_patient = Patient.objects.exclude(given_name="History").earliest("pk")
    crawl.visit(lead, reverse("audit:patient_access", args=[some_patient.pk]))
    crawl.visit(
        lead, reverse("audit:staff_activity", args=[User.objects.get(username="clinician").pk])
    )
    crawl.visit(lead, reverse("audit:clinic_changes"))
    crawl.visit(lead, reverse("audit:subject_access_index"))
    crawl.visit(lead, reverse("audit:subject_access_index") + "?q=a")
    crawl.visit(lead, reverse("audit:subject_access", args=[demo["programme"].patient_id]))
    crawl.visit(lead, reverse("outcomes:dashboard"))
    crawl.visit(lead, reverse("triage:overrides"))
    crawl.visit(lead, reverse("outbox:message_list"))
    crawl.visit(lead, reverse("admin:index"))
    crawl.visit(lead, reverse("admin:app_list", args=["triage"]))
    crawl.visit(lead, reverse("admin:auth_user_changelist"))
    clinician = User.objects.get(username="clinician")
    crawl.visit(lead, reverse("admin:auth_user_change", args=[clinician.pk]))
    crawl.visit(lead, reverse("admin:auth_user_history", args=[clinician.pk]))
    crawl.visit(lead, reverse("admin:referrals_destination_add"))
    lead.context.close()

    # --- The clinical safety officer ----------------------------------------------------------
    officer = _staff(chromium, crawl, "safety")
    crawl.visit(officer, reverse("governance:index"))
    crawl.visit(officer, reverse("governance:trial_run", args=[demo["run"].pk]))
    for other in demo["runs"]:
        crawl.visit(officer, reverse("governance:trial_run", args=[other.pk]))
    crawl.visit(officer, reverse("governance:trial", args=[demo["run"].trial_id]))
    crawl.refuse(officer)
    crawl.visit(officer, reverse("governance:hazards"))
    officer.context.close()

    # --- A member of staff setting up their authenticator at their first sign-in -------------
    newcomer = make_user(role=Role.CLINICIAN, username="newdoc")
    context = chromium.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    crawl.visit(page, reverse("login"))
    page.fill("#id_username", newcomer.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form [type=submit]")
    page.wait_for_url(re.compile("/accounts/two-factor/set-up/"))
    crawl.check(page)
    page.fill("#id_code", "000000")
    crawl.refuse(page, "main form")
    clock.advance(THROTTLED)
    page.fill("#id_code", code_for_secret(page.locator("#secret").inner_text()))
    page.locator("main form [type=submit]").last.click()
    page.wait_for_url(re.compile("/accounts/two-factor/backup-codes/"))
    crawl.check(page)
    context.close()

    # --- Patients, through their links, on a desk and on a phone ------------------------------
    for viewport, refuse in ((DESKTOP, True), (PHONE, False)):
        phone = viewport is PHONE
        context = chromium.new_context(
            viewport=viewport, locale="en-GB", is_mobile=phone, has_touch=phone
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        if phone:  # a fresh invitation: the first was sent from the desk
            invitation, link = invite(
                patient_with_email(given_name="Pia", family_name="Phone", email="pia@example.org"),
                User.objects.get(username="reception"),
            )
            fill_draft(invitation)
            demo["intake_link"] = link
        _patient_pages(crawl, page, demo, refuse=refuse)
        # Self-referral: the form (refused once), "check your email", the emailed link.
        crawl.visit(page, reverse("selfintake:referral"))
        if refuse:
            crawl.refuse(page)
        email = f"lin{'-phone' if phone else ''}@example.org"
        page.get_by_label("First name").fill("Lin")
        page.get_by_label("Last name").fill("Okafor")
        page.get_by_label("Day").fill("9")
        page.get_by_label("Month").fill("11")
        page.get_by_label("Year").fill("1978")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Female").check()
        page.get_by_label("I agree that the clinic may email me about my care").check()
        page.get_by_role("button", name="Email me the link").click()
        page.wait_for_url(re.compile("/p/self-referral/sent/"))
        crawl.check(page)
        body = Message.objects.get(to_email=email).body_text
        confirm = re.search(r"/p/r/[^/\s]+/", body)
        assert confirm is not None
        crawl.visit(page, confirm.group(0))
        context.close()

    # --- Expired links, last: the clock moves past every link's age ---------------------------
    expired = [
        reverse("programmes:patient_page", args=[programme_links.page_token(demo["programme"])]),
        reverse("selfintake:start", args=[demo["intake_link"]]),
    ]
    clock.advance(settings.PROGRAMME_LINK_MAX_AGE + timedelta(days=1))
    for viewport in (DESKTOP, PHONE):
        context = chromium.new_context(viewport=viewport, locale="en-GB")
        page = context.new_page()
        for path in expired:
            crawl.visit(page, path, status=None)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
        context.close()
    active.forget()

    # Every pattern visited or excluded with its reason.
    missing = [
        f"{p.route} ({p.name or 'unnamed'})"
        for p in every_pattern()
        if p.route not in crawl.visited and not _excluded(p)
    ]
    assert missing == [], "pages neither visited nor in EXCLUDED:\n" + "\n".join(missing)
    assert crawl.problems == []
    unused = set(EXCLUDED) - {p.name for p in every_pattern()}
    assert unused == set(), f"EXCLUDED names patterns that are gone: {unused}"
