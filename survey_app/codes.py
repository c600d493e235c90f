"""Participation codes: generation (secrets), normalisation of typed input, keyed hashing."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# 31 symbols without the look-alikes 0/O, 1/I/L: 12 symbols carry 12 * log2(31) = 59.4 bits.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 12
GROUP = 4
_SEPARATORS = str.maketrans("", "", " -_.\t\u00a0\u2010\u2011\u2012\u2013\u2014")


class CodeFormatError(ValueError):
    """The typed text cannot be a participation code (wrong length or characters)."""


def generate_code() -> str:
    """A new random code, grouped for typing from paper: `XXXX-XXXX-XXXX`."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    """Group a normalised code in blocks of four separated by dashes."""
    return "-".join(raw[i:i + GROUP] for i in range(0, len(raw), GROUP))


def normalise_code(text: str) -> str:
    """Upper-case, drop spaces and dashes; raise CodeFormatError if it cannot be a code."""
    raw = text.translate(_SEPARATORS).upper()
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        raise CodeFormatError(text)
    return raw


def hash_code(raw: str, key: str | bytes) -> bytes:
    """HMAC-SHA256 of a normalised code; the key lives outside the database."""
    key_bytes = key.encode() if isinstance(key, str) else key
    return hmac.new(key_bytes, raw.encode("ascii"), hashlib.sha256).digest()
