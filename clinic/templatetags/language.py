"""`{% html_lang %}`: the page's language as <html lang> wants it ("en-GB", "de")."""

from __future__ import annotations

from django import template
from django.conf import settings

from clinic import language

register = template.Library()


@register.simple_tag
def html_lang() -> str:
    return language.html_lang()


@register.simple_tag
def language_choices() -> list[tuple[str, str]]:
    """settings.LANGUAGES as they stand: each language named in itself ("English", "Deutsch"),
    as a language switch shows them (Django's get_available_languages translates the names)."""
    return list(settings.LANGUAGES)
