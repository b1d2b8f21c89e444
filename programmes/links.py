"""The patient's way in: a signed, expiring, revocable link to their own programme page.

A link carries the programme's id and link version, signed with the site's key and stamped with
the time it was made. It works for PROGRAMME_LINK_MAX_AGE; every reminder and check-in email
carries a fresh one. Revoking raises the programme's link version, which ends every link made
before. The unsubscribe link is separate: it only stops emails, so it does not expire (mail
clients' one-click unsubscribe, RFC 8058, must keep working), but it carries the link version
too, so revoking ends it with the page links (the new link's email brings a new one). A link made
before unsubscribe links carried a version counts as the first version.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext

from programmes.models import Programme

_PAGE_SALT = "programmes.page"
_UNSUBSCRIBE_SALT = "programmes.unsubscribe"


class LinkProblem(Exception):
    """The link cannot open the page. `programme` is known when the link was genuine but expired
    or revoked: the patient may ask for a fresh one to the address on file."""

    def __init__(self, message: str, programme: Programme | None = None) -> None:
        super().__init__(message)
        self.programme = programme


def page_token(programme: Programme) -> str:
    return signing.TimestampSigner(salt=_PAGE_SALT).sign_object(
        {"p": programme.pk, "v": programme.link_version}, compress=True
    )


def page_url(programme: Programme, *, absolute: bool = True) -> str:
    path = reverse("programmes:patient_page", args=[page_token(programme)])
    return settings.SITE_URL + path if absolute else path


def unsubscribe_token(programme: Programme) -> str:
    return signing.Signer(salt=_UNSUBSCRIBE_SALT).sign_object(
        {"p": programme.pk, "v": programme.link_version}, compress=True
    )


def unsubscribe_url(programme: Programme) -> str:
    return settings.SITE_URL + reverse(
        "programmes:unsubscribe", args=[unsubscribe_token(programme)]
    )


def programme_for_page(token: str) -> Programme:
    """The programme a page link opens, or LinkProblem saying why not."""
    signer = signing.TimestampSigner(salt=_PAGE_SALT)
    try:
        data = signer.unsign_object(token, max_age=settings.PROGRAMME_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        programme = _genuine(signer, token)
        raise LinkProblem("This link has expired.", programme) from exc
    except signing.BadSignature as exc:
        raise LinkProblem("This link is not valid. Check that it was copied in full.") from exc
    programme = Programme.objects.select_related("patient").filter(pk=data.get("p")).first()
    if programme is None:
        raise LinkProblem("This link is not valid.")
    if data.get("v") != programme.link_version:
        raise LinkProblem("This link no longer works: the clinic has replaced it.", programme)
    return programme


def programme_for_unsubscribe(token: str) -> Programme:
    """The programme an unsubscribe link stops the emails of, or LinkProblem (with the
    programme when the link was genuine but the clinic has revoked the patient's links)."""
    try:
        data = signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature as exc:
        raise LinkProblem(gettext("This unsubscribe link is not valid.")) from exc
    programme = Programme.objects.filter(pk=data.get("p")).first()
    if programme is None:
        raise LinkProblem(gettext("This unsubscribe link is not valid."))
    if data.get("v", 1) != programme.link_version:
        raise LinkProblem(
            gettext("This unsubscribe link no longer works: the clinic has replaced your links."),
            programme,
        )
    return programme


def _genuine(signer: signing.TimestampSigner, token: str) -> Programme | None:
    """The programme of an expired but genuine link (signed by us, of any version): a new link
    goes only to the address on file, so an old link may ask for one."""
    try:
        data = signer.unsign_object(token)
    except signing.BadSignature:
        return None
    return Programme.objects.filter(pk=data.get("p")).first()


def page_token_is_genuine(token: str) -> bool:
    """Whether a page link was made by this site and has not expired, without the database (so
    without knowing whether the clinic has revoked it): programmes/offline.py."""
    try:
        signing.TimestampSigner(salt=_PAGE_SALT).unsign_object(
            token, max_age=settings.PROGRAMME_LINK_MAX_AGE
        )
    except signing.BadSignature:
        return False
    return True
