import pytest

from app.errors import ConfigError
from app.privacy.pseudonym import Pseudonymizer, truncate_ip


def test_pseudonyms_are_stable_keyed_and_opaque() -> None:
    a, b = Pseudonymizer("k" * 32), Pseudonymizer("j" * 32)
    assert a("user-1") == a("user-1")
    assert a("user-1") != a("user-2")
    assert a("user-1") != b("user-1")
    assert "user" not in a("user-1")


def test_short_keys_are_refused() -> None:
    with pytest.raises(ConfigError, match="at least 16"):
        Pseudonymizer("short")


@pytest.mark.parametrize(
    ("ip", "prefix"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3::/48"),
        ("not an ip", None),
        (None, None),
    ],
)
def test_ip_truncation(ip: str | None, prefix: str | None) -> None:
    assert truncate_ip(ip) == prefix
