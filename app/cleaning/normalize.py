"""Normalization: trimmed strings, canonical codes, URLs without tracking parameters."""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that identify campaigns or clicks, not content: dropped from every URL.
TRACKING_PARAMS = frozenset(
    {
        "gclid", "dclid", "gbraid", "wbraid", "fbclid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "mc_cid", "mc_eid", "igshid", "_ga", "_gl", "_hsenc",
        "_hsmi", "mkt_tok", "ref_src", "vero_id", "oly_enc_id", "oly_anon_id",
    }
)  # fmt: skip


def clean_str(value: object) -> str | None:
    """Trim; empty becomes None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# Pages recur and urllib parses in pure Python (measurements: docs/benchmarks.md, Design
# decisions, app/cleaning/normalize.py).
@functools.lru_cache(maxsize=16_384)
def normalize_url(url: str | None) -> str | None:
    """Lower-case scheme and host, drop fragments and tracking parameters (utm_* and others)."""
    url = clean_str(url)
    if url is None:
        return None
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), "")
    )


def normalize_code(value: str | None, length: int) -> str | None:
    """ISO codes (currency: 3 letters, country: 2 letters) upper-cased; None when absent."""
    value = clean_str(value)
    return value.upper() if value is not None and len(value) == length else value


def user_agent_family(ua: str | None) -> str | None:
    """A coarse family, never the full string (a user agent helps fingerprint a person)."""
    ua = clean_str(ua)
    if ua is None:
        return None
    low = ua.lower()
    for needle, family in (
        ("bot", "bot"), ("crawl", "bot"), ("spider", "bot"), ("headless", "headless"),
        ("python-requests", "script"), ("curl/", "script"), ("wget", "script"),
        ("edg/", "edge"), ("firefox", "firefox"), ("chrome", "chrome"), ("safari", "safari"),
    ):  # fmt: skip
        if needle in low:
            return family
    return "other"
