"""The patient's way in: a signed, expiring, revocable link to their own programme page.

A link carries the programme's id and link version, signed with the site's key and stamped with
the time it was made. It works for PROGRAMME_LINK_MAX_AGE; every reminder and check-in email
carries a fresh one. Revoking raises the programme's link version, which ends every link made
before. The unsubscribe link is separate: it only stops emails, so it does not expire (mail
clients' one-click unsubscribe, RFC 8058, must keep working), but it carries the link version
too, so revoking ends it with the page links (the new link's email brings a new one). A link made
before unsubscribe links carried a version counts as the first version.

The printed handout may carry a short link instead (`PROGRAMME_HANDOUT_LINK`): a patient types
it from paper, so it is short (the programme's id and ten letters and digits of a keyed hash of
the id and the link version, in Crockford's base 32, which reads the same whatever the case and
whether an O is typed for a 0), and it lasts the programme rather than 21 days: it opens the
page (with a fresh signed link) while the programme runs and for PROGRAMME_LINK_MAX_AGE after it
ends. Revoking the links ends it too; the handout printed after that carries the new one.
"""

from __future__ import annotations

import base64
import hmac
import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from programmes.models import Programme

_PAGE_SALT = "programmes.page"
_UNSUBSCRIBE_SALT = "programmes.unsubscribe"


class LinkProblem(Exception):
    """The link cannot open the page. `programme` is known when the link was genuine but expired
    or revoked: the patient may ask for a fresh one to the address on file."""

    def __init__(self, message: StrOrPromise, programme: Programme | None = None) -> None:
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
        raise LinkProblem(gettext_lazy("This link has expired."), programme) from exc
    except signing.BadSignature as exc:
        raise LinkProblem(
            gettext_lazy("This link is not valid. Check that it was copied in full.")
        ) from exc
    programme = Programme.objects.select_related("patient").filter(pk=data.get("p")).first()
    if programme is None:
        raise LinkProblem(gettext_lazy("This link is not valid."))
    if data.get("v") != programme.link_version:
        raise LinkProblem(
            gettext_lazy("This link no longer works: the clinic has replaced it."), programme
        )
    return programme


def programme_for_unsubscribe(token: str) -> Programme:
    """The programme an unsubscribe link stops the emails of, or LinkProblem (with the
    programme when the link was genuine but the clinic has revoked the patient's links)."""
    try:
        data = signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature as exc:
        raise LinkProblem(gettext_lazy("This unsubscribe link is not valid.")) from exc
    programme = Programme.objects.filter(pk=data.get("p")).first()
    if programme is None:
        raise LinkProblem(gettext_lazy("This unsubscribe link is not valid."))
    if data.get("v", 1) != programme.link_version:
        raise LinkProblem(
            gettext_lazy(
                "This unsubscribe link no longer works: the clinic has replaced your links."
            ),
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


_HANDOUT_SALT = "programmes.handout"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TO_CROCKFORD = str.maketrans(_BASE32, _CROCKFORD)
_TYPED = str.maketrans("OIL", "011")  # what a patient may type for a 0 or a 1
_HANDOUT_CODE = re.compile(r"([1-9][0-9]{0,17})-([0-9A-Z]{10})", re.ASCII)


def _handout_mac(pk: int, version: int) -> str:
    digest = salted_hmac(_HANDOUT_SALT, f"{pk}:{version}", algorithm="sha256").digest()
    return base64.b32encode(digest).decode("ascii")[:10].translate(_TO_CROCKFORD)


def handout_code(programme: Programme) -> str:
    """The short link's code, as printed: "42-7KQ2M9XH4T"."""
    return f"{programme.pk}-{_handout_mac(programme.pk, programme.link_version)}"


def handout_url(programme: Programme) -> str:
    return settings.SITE_URL + reverse("programmes:handout_link", args=[handout_code(programme)])


def programme_for_handout_code(code: str) -> Programme:
    """The programme a typed short link opens, or LinkProblem saying why not."""
    match = _HANDOUT_CODE.fullmatch(code.strip().upper().translate(_TYPED))
    if match is None:
        raise LinkProblem(gettext_lazy("This link is not valid. Check that it was typed in full."))
    pk, mac = int(match[1]), match[2]
    programme = Programme.objects.select_related("patient").filter(pk=pk).first()
    if programme is None or not hmac.compare_digest(
        mac, _handout_mac(programme.pk, programme.link_version)
    ):
        # A code of an older link version is as unknown as a mistyped one: nothing says which.
        raise LinkProblem(gettext_lazy("This link is not valid. Check that it was typed in full."))
    if (
        programme.ended_at is not None
        and timezone.now() > programme.ended_at + settings.PROGRAMME_LINK_MAX_AGE
    ):
        raise LinkProblem(
            gettext_lazy("This link has expired: your programme has ended."), programme
        )
    return programme
