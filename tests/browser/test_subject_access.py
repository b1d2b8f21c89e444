"""The clinic lead's subject-access export in Chromium: from the audit page to the patient, then
both downloads, each named without the patient's name; every page passes axe-core."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from clinic.roles import Role
from tests.patients.helpers import PASSWORD, make_intake, make_user, patient_details
from tests.support.two_factor import sign_in_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clock"),
]


def test_the_lead_finds_the_patient_and_downloads_their_export(
    live_server, chromium: Browser, tmp_path: Path
) -> None:
    patient = make_intake(
        entered_by=make_user(role="reception"),
        details=patient_details(given_name="Ivy", family_name="Thistlewood"),
    ).patient
    lead = make_user(role=Role.LEAD, username="lena", first_name="Lena", last_name="Lead")
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in_page(page, live_server.url, lead, PASSWORD)

        page.goto(f"{live_server.url}/audit/")
        page.get_by_role("link", name="Subject-access export", exact=False).first.click()
        expect(page.get_by_role("heading", name="Subject-access export")).to_be_visible()
        page.get_by_label("The patient: name, date of birth or NHS number").fill("Thistlewood")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name="Ivy Thistlewood").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Ivy Thistlewood")

        with page.expect_download() as pdf:
            page.get_by_role("link", name="Download the PDF").click()
        with page.expect_download() as data:
            page.get_by_role("link", name="Download the JSON file").click()

        for download, kind in ((pdf.value, "pdf"), (data.value, "json")):
            assert download.suggested_filename.startswith(f"subject-access-{patient.pk}-")
            assert download.suggested_filename.endswith(f".{kind}")
            assert "Thistlewood" not in download.suggested_filename
        saved = tmp_path / "export.json"
        data.value.save_as(saved)
        assert json.loads(saved.read_text())["patient"]["family_name"] == "Thistlewood"
        pdf_saved = tmp_path / "export.pdf"
        pdf.value.save_as(pdf_saved)
        assert pdf_saved.read_bytes().startswith(b"%PDF")
    finally:
        context.close()
