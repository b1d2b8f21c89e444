"""Rule-set versions being tried: written here, tried on the clinic's past intakes (`governance/`),
and released (moved to `registry.RELEASED` with their fingerprint pinned) once signed off.

A candidate never drives a patient decision until a clinical safety officer has signed it off and
the clinic has chosen it; until it is released it may still change, and a sign-off holds only for
the fingerprint it signed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from triage.rules.engine import Guard, Rule, RuleSet, Urgency
from triage.rules.markers import gettext_noop
from triage.rules.ruleset import DEFAULT, S2, S4, S6, S16


@dataclass(frozen=True, slots=True)
class Candidate:
    ruleset: RuleSet
    summary: str
    based_on: str


def _replacing(base: RuleSet, version: str, *new: Rule, age_flag: Rule | None = None) -> RuleSet:
    """`base` as version `version`, each rule of `new` in place of the rule it names (by ID, or
    the one `_RENAMED` says it replaces), and its guards kept pointing at the rules they guard."""
    by_old = {_RENAMED.get(r.id, r.id): r for r in new}
    rules = tuple(by_old.get(r.id, r) for r in base.rules)
    guards = tuple(
        Guard(g.name, g.when, tuple(by_old[i].id if i in by_old else i for i in g.rule_ids))
        for g in base.guards
    )
    return RuleSet(
        version,
        base.weak_flags,
        age_flag or base.age_flag,
        rules,
        base.counting,
        guards,
        base.weak_guard,
    )


# A rule that replaces another under a new ID: new ID -> the ID it replaces.
_RENAMED = {"MINOR_UNDER_16": "MINOR_UNDER_18"}

# 2026.2-rc1: two readings the reference leaves open (red-flags.md section 9, item 1; section 3),
# taken the other way, to try on the clinic's own patients before anyone signs it off.
_AGE_NEW_ONSET_50 = replace(
    DEFAULT.age_flag,
    reason=gettext_noop(
        "First episode of spinal pain over 50 or under 20 (counts only beside another weak flag or "
        "weight loss)"
    ),
    source=f"{S2}; {S16}",
    when=lambda a, n: (a.age > 50 or a.age < 20) and not a.previous_similar_episodes,
)
_MINOR_UNDER_16 = Rule(
    "MINOR_UNDER_16",
    Urgency.ROUTINE,
    gettext_noop("Under 16: paediatric assessment (the C-Spine Rule is not validated under 16)"),
    f"{S6}; {S4}",
    ("age",),
    lambda a, n: a.age < 16,
)

CANDIDATES: tuple[Candidate, ...] = (
    Candidate(
        _replacing(DEFAULT, "2026.2-rc1", _MINOR_UNDER_16, age_flag=_AGE_NEW_ONSET_50),
        "A candidate: a first episode counts as a weak flag from over 50 (Henschke et al. 2013 "
        "[S16]; the reference uses 55, after CKS), and the paediatric rule applies under 16, "
        "where the Canadian C-Spine Rule stops (it was under 18).",
        DEFAULT.version,
    ),
)
