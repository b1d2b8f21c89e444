"""Every page runs only the scripts and styles the server sends as files.

Two halves: every URL of the project, walked as each role and as a stranger (the walk of
tests/test_hostile_urls.py, with real ids), is sent the Content-Security-Policy, which allows no
inline script or style and no eval; and no template served as a page carries what that policy
would refuse (a style="" attribute, a <style> or inline <script>, an onclick=""-style handler, a
javascript: link, htmx's hx-on), so nothing on a page silently stops working. Chromium checks
the pages themselves in tests/browser/test_content_security_policy.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory

from clinic.middleware import CONTENT_SECURITY_POLICY, TrustHeadersMiddleware
from tests.support.two_factor import sign_in
from tests.test_hostile_urls import ROUTES, World, _fill, _real_values, world  # noqa: F401

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATES = BASE_DIR / "templates"
# The project's templates and those of its own apps (clinic/templates/...), not the packages'.
APP_TEMPLATES = sorted(
    Path(app.path) / "templates"
    for app in apps.get_app_configs()
    if Path(app.path).is_relative_to(BASE_DIR)
    and not Path(app.path).is_relative_to(BASE_DIR / ".venv")
    and (Path(app.path) / "templates").is_dir()
)
TEMPLATE_ROOTS = [TEMPLATES, *APP_TEMPLATES]
# Not pages a browser is sent by this server: emails (mail clients read only inline styles) and
# the templates WeasyPrint turns into a PDF on the server (named *_pdf.html: the referral letter).
NOT_SERVED = "outbox/email/"
FOR_PDF = "_pdf.html"

REFUSED_IN_TEMPLATES = {
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "a <style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: link": re.compile(r"javascript:", re.IGNORECASE),
    "htmx's hx-on (needs eval)": re.compile(r"\s(?:data-)?hx-on", re.IGNORECASE),
    "htmx's hx-vars (needs eval)": re.compile(r"\s(?:data-)?hx-vars", re.IGNORECASE),
    "a js: value for htmx (needs eval)": re.compile(r"""=\s*["']\s*js:""", re.IGNORECASE),
}
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
# Template comments never reach the browser; blanked out (line breaks kept) before the scan.
# A {# #} comment ends on its line (one that does not is printed as it stands).
COMMENT = re.compile(r"{#[^\n]*?#}|{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.DOTALL)


def directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


def test_the_policy_allows_only_our_own_files() -> None:
    policy = directives(CONTENT_SECURITY_POLICY)

    assert policy == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    assert "unsafe" not in CONTENT_SECURITY_POLICY


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("who", ["a stranger", "reception", "clinician", "an admin"])
def test_every_page_is_sent_the_policy(world: World, who: str) -> None:  # noqa: F811
    # Given one of everything, and someone in each role (or nobody signed in)
    client = Client(raise_request_exception=False)
    user = world.users[who]
    if user is not None:
        sign_in(client, user)
    pages = 0
    pdfs: set[str] = set()

    # When every URL of the project is opened with real ids
    for route in ROUTES:
        path = _fill(route, _real_values(route, world))
        response = client.get(path)

        # Then each answer (a page, a redirect, a refusal) carries the policy; only a PDF (the
        # referral letter, a subject-access export) goes without one: Chromium's PDF viewer
        # lives under it.
        if response["Content-Type"].startswith("application/pdf"):
            assert "Content-Security-Policy" not in response, path
            pdfs.add(route.name)
            continue
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages += 1

    assert pages >= (40 if who == "an admin" else 5)
    assert ("referrals:referral_letter" in pdfs) is (who == "clinician")


@pytest.mark.django_db
def test_a_missing_page_and_the_sign_in_page_carry_it(client: Client) -> None:
    assert client.get("/no-such-page/")["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert client.get("/accounts/login/")["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_a_view_that_set_its_own_policy_keeps_it() -> None:
    def own(request: object) -> HttpResponse:
        response = HttpResponse("<p>x</p>")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = TrustHeadersMiddleware(own)(RequestFactory().get("/x/"))

    assert response["Content-Security-Policy"] == "default-src 'none'"


# --- The templates ---------------------------------------------------------------------------


def served_templates() -> list[Path]:
    return sorted(
        path
        for root in TEMPLATE_ROOTS
        for path in root.rglob("*.html")
        if not str(path.relative_to(root)).startswith(NOT_SERVED)
        and not path.name.endswith(FOR_PDF)
    )


def test_the_scan_sees_the_templates_and_leaves_out_only_emails_and_the_letter() -> None:
    names = {
        str(path.relative_to(TEMPLATES))
        for path in served_templates()
        if path.is_relative_to(TEMPLATES)
    }

    assert {"base.html", "triage/queue.html", "programmes/patient/base_patient.html"} <= names
    assert all(root.is_relative_to(BASE_DIR) for root in TEMPLATE_ROOTS)
    assert not any(name.startswith("outbox/email/") for name in names)
    assert "referrals/letter_pdf.html" not in names
    # The scan finds what it looks for: the letter has a <style> and a style attribute.
    letter = (TEMPLATES / "referrals/letter_pdf.html").read_text()
    assert REFUSED_IN_TEMPLATES["a <style> element"].search(letter)
    assert REFUSED_IN_TEMPLATES["a style attribute"].search(letter)


@pytest.mark.parametrize(
    "markup, what",
    [
        ('<td style="width: 30%">', "a style attribute"),
        ("<svg\n  style='max-width: 5px'>", "a style attribute"),
        ("<STYLE>.x{}</STYLE>", "a <style> element"),
        ('<button onclick="window.print()">', "an event handler attribute"),
        ('<body onload = "go()">', "an event handler attribute"),
        ('<a href="javascript:go()">', "a javascript: link"),
        ('<div hx-on:click="go()">', "htmx's hx-on (needs eval)"),
        ("<div hx-vals='js:{a: 1}'>", "a js: value for htmx (needs eval)"),
    ],
)
def test_the_scan_catches_each_kind(markup: str, what: str) -> None:
    assert REFUSED_IN_TEMPLATES[what].search(markup)
    one_line = markup.replace("\n", " ")
    assert not COMMENT.sub("", f"{{# {one_line} #}}{{% comment %}}{markup}{{% endcomment %}}")
    assert COMMENT.sub("", "{# a\n" + markup + " #}")  # not a comment: it spans two lines


@pytest.mark.parametrize(
    "markup",
    ['<div data-style="x">', '<a href="/x/" class="btn" data-session-keep-alive>', "<p>Go on</p>"],
)
def test_the_scan_leaves_ordinary_markup_alone(markup: str) -> None:
    assert not any(pattern.search(markup) for pattern in REFUSED_IN_TEMPLATES.values())
    assert not SCRIPT_TAG.search(markup)


def test_no_served_template_has_inline_styles_scripts_or_handlers() -> None:
    found = []
    for path in served_templates():
        text = COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), path.read_text())
        name = path.relative_to(BASE_DIR)
        for what, pattern in REFUSED_IN_TEMPLATES.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{name}:{line}: {what}")
        for match in SCRIPT_TAG.finditer(text):
            if not re.search(r"\ssrc\s*=", match[1]):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{name}:{line}: an inline <script> (put it in a file in static/)")

    assert not found, "\n".join(found)
