"""A made-up questionnaire for the tests: we hold no licence for any real tool's wording.

Its scoring has STarT Back's shape [S23] (clinical/red-flags.md section 5), scaled down: four
items, the last two a subscale; total up to 1 low; total 2 or more with subscale up to 1
medium; subscale 2 high.
"""

from __future__ import annotations

from typing import Any

from psychosocial.models import Band, Item, Scale, Tool

ITEM_WORDING = {
    1: "Made-up item 1: is the pain there most days?",
    2: "Made-up item 2: has the pain kept you off work?",
    3: "Made-up item 3: do you worry the pain means harm?",
    4: "Made-up item 4: how much has the pain bothered you?",
}
BOTHERED = "Not at all = 0\nA little = 0\nA lot = 1"


def make_tool(*, active: bool = True, name: str = "Made-up screen", **fields: Any) -> Tool:
    tool = Tool.objects.create(
        name=name,
        version=fields.pop("version", "test-1"),
        licence_holder="Nobody: invented for the tests",
        source="Invented for the tests; scoring shaped like STarT Back [S23]",
        subscale_name="worry",
        active=active,
        **fields,
    )
    for position in (1, 2, 3):
        Item.objects.create(
            tool=tool,
            position=position,
            wording=ITEM_WORDING[position],
            scale=Scale.YES_NO,
            in_subscale=position == 3,
        )
    Item.objects.create(
        tool=tool,
        position=4,
        wording=ITEM_WORDING[4],
        scale=Scale.OPTIONS,
        options=BOTHERED,
        in_subscale=True,
    )
    Band.objects.create(tool=tool, position=1, category="low", total_max=1)
    Band.objects.create(tool=tool, position=2, category="medium", total_min=2, subscale_max=1)
    Band.objects.create(tool=tool, position=3, category="high", subscale_min=2)
    return tool


def item_post(*answers: str) -> dict[str, str]:
    """The four items as the form posts them: "yes"/"no" for 1-3, "1"-"3" for item 4."""
    return {f"psychosocial_item_{i}": value for i, value in enumerate(answers, start=1)}
