"""A marker for words the pure modules hold and the pages show: no Django here.

`makemessages` (xgettext) extracts the argument of every call named `gettext_noop`, so the
rules' reasons and the programme suggestions' reasons reach the translation catalogue; the page
that shows one translates it then, with `gettext` or `{% translate %}`. A stored reason written
by an older rule set that no longer matches a message shows as it was stored.
"""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    return message
