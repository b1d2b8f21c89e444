"""The other systems that speak to the clinic through its FHIR API, each with its own token.

A client's token is shown once, when an admin registers the client or issues a new token; only
its SHA-256 digest is stored, so a copy of the database holds no token anybody could send. A
revoked client's calls are refused from the moment of revocation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a client may do; an admin gives each client the scopes it needs and no more."""

    READ_PATIENTS = "patients.read", _("Read patients and everything held about them")
    SUBMIT_INTAKES = "intakes.submit", _("Submit intakes")


class ApiClient(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # The account the client acts as: who entered its intakes and who its calls are audited as.
    # It cannot sign in (no usable password, inactive) and holds no role.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_client",
        editable=False,
    )
    can_read_patients = models.BooleanField(
        _("may read patients"), default=False, help_text=Scope.READ_PATIENTS.label
    )
    can_submit_intakes = models.BooleanField(
        _("may submit intakes"), default=False, help_text=Scope.SUBMIT_INTAKES.label
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token's first characters, so that an admin can tell which token a system holds.
    token_hint = models.CharField(_("token starts"), max_length=12, editable=False)
    token_issued_at = models.DateTimeField(_("token issued at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name

    @property
    def scopes(self) -> frozenset[str]:
        held = set()
        if self.can_read_patients:
            held.add(Scope.READ_PATIENTS.value)
        if self.can_submit_intakes:
            held.add(Scope.SUBMIT_INTAKES.value)
        return frozenset(held)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
