"""`{% html_lang %}`: the page's language as <html lang> wants it ("en-GB", "de")."""

from __future__ import annotations

from django import template

from clinic import language

register = template.Library()


@register.simple_tag
def html_lang() -> str:
    return language.html_lang()
