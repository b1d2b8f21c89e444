"""API tokens: made at random, stored only as their SHA-256 digest.

A token is 256 random bits, so an unsalted digest is enough: nobody can guess one from its
digest, and the digest lets a call find its client with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "ctk_"
HINT_LENGTH = 10


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def hint(token: str) -> str:
    return token[:HINT_LENGTH]
