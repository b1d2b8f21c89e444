"""An example questionnaire for a demo installation: inactive, and with placeholder wording only.

We hold no licence for any screening tool, so no item text ships. The example has the scoring
shape of Keele's STarT Back [S23] as `clinical/red-flags.md` section 5 gives it (9 items, 8 scored
0/1 and item 9 positive only for its two highest answers; the psychosocial subscale is items 5-9;
total up to 3 low, total 4 or more with subscale up to 3 medium, subscale 4 or more high), so an
admin can see how a tool is entered. It stays inactive: a clinic enters the wording of the tool
it holds a licence for, or activates nothing.
"""

from __future__ import annotations

from django.db import transaction

from psychosocial.models import Band, Item, Scale, Tool

EXAMPLE_NAME = "Example only (placeholder wording, not a licensed tool)"
EXAMPLE_VERSION = "demo"
PLACEHOLDER = "PLACEHOLDER item {n}: replace with the licensed wording before use"
BOTHERSOME = (
    "Placeholder 1 = 0\nPlaceholder 2 = 0\nPlaceholder 3 = 0\nPlaceholder 4 = 1\nPlaceholder 5 = 1"
)


@transaction.atomic
def seed_example_tool() -> Tool:
    """The example tool, created once (found by its name and version after that)."""
    tool, created = Tool.objects.get_or_create(
        name=EXAMPLE_NAME,
        version=EXAMPLE_VERSION,
        defaults={
            "licence_holder": "None: an example with placeholder wording",
            "licence_notes": "Not for use with patients. Enter the tool your clinic is licensed for.",
            "source": (
                "Scoring shape of Keele STarT Back, Hill JC et al., Arthritis Rheum 2008 "
                "(clinical/red-flags.md section 5, [S23]); no wording reproduced"
            ),
            "subscale_name": "psychosocial",
            "active": False,
        },
    )
    if not created:
        return tool
    Item.objects.bulk_create(
        [
            Item(
                tool=tool,
                position=n,
                wording=PLACEHOLDER.format(n=n),
                scale=Scale.YES_NO if n < 9 else Scale.OPTIONS,
                options="" if n < 9 else BOTHERSOME,
                in_subscale=n >= 5,
            )
            for n in range(1, 10)
        ]
    )
    Band.objects.bulk_create(
        [
            Band(tool=tool, position=1, category="low", total_max=3),
            Band(tool=tool, position=2, category="medium", total_min=4, subscale_max=3),
            Band(tool=tool, position=3, category="high", subscale_min=4),
        ]
    )
    return tool
