"""Which rule set triages a new intake: the signed-off version the clinic has chosen.

`active()` answers from a per-process copy for `GOVERNANCE_ACTIVE_CACHE_SECONDS` (5): an intake
submit costs no query while it is fresh, and one primary-key read of `ActiveRuleSet` when it is
not. A change made in this process clears the copy when it commits; another process sees it
within those seconds, and in the meantime triages with the version chosen before, which was
signed off too. The row names the version and the fingerprint its sign-off signed: a version
whose code no longer matches (`triage.rules.registry.fingerprint`) is not signed off any more.

Each read also leaves the row in Django's cache (Redis, shared by every process): a process that
starts, or has never read the row, while the database is down takes the clinic's choice from
there, checked against the code as a read row is. `advice_ruleset()` is for advice while nothing
can be saved: the choice in force, else the first released version when neither the database
nor the cache can say.

Without a signed-off choice the product refuses to triage (`NotSignedOff`), unless
`TRIAGE_UNSIGNED_RULESET_ALLOWED` (the embedded demo, which needs DEBUG): then the rule set the
environment names triages, and every staff page says it is unsigned (`banner`). While the
database is down, the last version this process read (or, failing that, the cache) stays in
force.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from triage import rules
from triage.rules import registry

log = logging.getLogger(__name__)
CACHE_KEY = "governance.active"


class NotSignedOff(RuntimeError):
    """No signed-off rule set is chosen, and unsigned ones may not triage here."""


@dataclass(frozen=True, slots=True)
class Active:
    ruleset: rules.RuleSet
    signed_off: bool
    sign_off_id: int | None = None
    why_unsigned: str = ""  # for an unsigned one: why it is not signed off

    @property
    def version(self) -> str:
        return self.ruleset.version


_lock = threading.Lock()
_copy: tuple[float, Active | NotSignedOff] | None = None
_kept: tuple[str, str, int | None] | None = None  # the row this process last left in the cache


def environment_ruleset() -> rules.RuleSet:
    """The rule set the environment names (TRIAGE_MEDIUM_PSYCHOSOCIAL_RISK_IS_ROUTINE): the
    demo's unsigned one, and what a clinic signs off first."""
    return rules.ruleset_for(
        medium_psychosocial_risk_is_routine=settings.TRIAGE_MEDIUM_PSYCHOSOCIAL_RISK_IS_ROUTINE
    )


def _resolve(row: tuple[str, str, int | None] | None) -> Active | NotSignedOff:
    version, fingerprint, sign_off_id = row or ("", "", None)
    why = _("No signed-off rule set has been chosen for this clinic.")
    if version:
        try:
            ruleset = registry.ruleset(version)
        except registry.UnknownVersion:
            why = _("The chosen rule set %(version)s is not in this release.") % {
                "version": version
            }
        else:
            if registry.fingerprint(version) == fingerprint:
                return Active(ruleset, True, sign_off_id)
            why = _(
                "The rule set %(version)s no longer behaves as it did when it was signed off."
            ) % {"version": version}
    if settings.TRIAGE_UNSIGNED_RULESET_ALLOWED:
        return Active(environment_ruleset(), False, why_unsigned=why)
    return NotSignedOff(why)


def _read() -> tuple[str, str, int | None] | None:
    from governance.models import ActiveRuleSet

    return (
        ActiveRuleSet.objects.filter(pk=1)
        .values_list("version", "fingerprint", "sign_off_id")
        .first()
    )


def _keep_in_cache(row: tuple[str, str, int | None] | None) -> None:
    """Leave the row read in the shared cache (only when it changed: no round trip per read)."""
    global _kept
    kept = row or ("", "", None)
    if kept == _kept:
        return
    try:
        cache.set(CACHE_KEY, list(kept), timeout=None)
    except Exception as exc:  # a cache that does not answer must never stop an intake
        log.warning("governance: could not keep the active rule set in the cache (%s)", exc)
        return
    _kept = kept


def _from_cache() -> tuple[str, str, int | None] | None:
    """The row the last process to read it left in the cache; None when there is none."""
    try:
        kept = cache.get(CACHE_KEY)
    except Exception as exc:
        log.warning("governance: could not read the active rule set from the cache (%s)", exc)
        return None
    if not isinstance(kept, list | tuple) or len(kept) != 3:
        return None
    version, fingerprint, sign_off_id = kept
    return str(version), str(fingerprint), sign_off_id if isinstance(sign_off_id, int) else None


def active() -> Active | NotSignedOff:
    """The rule set in force, or why none may triage (never raises for that). Raises
    `DatabaseError` only while the database is down and neither this process nor the cache
    knows the clinic's choice."""
    global _copy
    copy = _copy
    now = time.monotonic()
    if copy is not None and now - copy[0] < settings.GOVERNANCE_ACTIVE_CACHE_SECONDS:
        return copy[1]
    try:
        row = _read()
    except DatabaseError:
        if copy is not None:
            return copy[1]  # the database is down: the last version read stays in force
        cached = _from_cache()
        if cached is None:
            raise
        return _resolve(cached)  # not kept as this process's copy: the database is asked again
    _keep_in_cache(row)
    found = _resolve(row)
    with _lock:
        _copy = (now, found)
    return found


def active_ruleset() -> rules.RuleSet:
    """The rule set new intakes are triaged with; `NotSignedOff` when none may."""
    found = active()
    if isinstance(found, NotSignedOff):
        raise found
    return found.ruleset


def advice_ruleset() -> rules.RuleSet:
    """The rule set for advice while nothing can be saved (the database is down): the clinic's
    choice as this process or the cache knows it; else, when neither does (or none is signed
    off), the first released version. Never for a decision that is saved."""
    try:
        found = active()
    except DatabaseError:
        return registry.RELEASED[0].ruleset
    if isinstance(found, NotSignedOff):
        return registry.RELEASED[0].ruleset
    return found.ruleset


def forget() -> None:
    """Drop this process's copy (after a change, once it commits; in tests)."""
    global _copy, _kept
    with _lock:
        _copy = None
        _kept = None


def forget_on_commit() -> None:
    transaction.on_commit(forget)


def prime(found: Active | NotSignedOff) -> None:
    """Set this process's copy (the tests' starting point: the demo's unsigned rule set)."""
    global _copy
    with _lock:
        _copy = (time.monotonic(), found)


def peek() -> Active | NotSignedOff | None:
    """This process's copy as it stands, fresh or not, without reading the database."""
    copy = _copy
    return copy[1] if copy is not None else None
