from app.cleaning.normalize import clean_str, normalize_code, normalize_url, user_agent_family


def test_tracking_parameters_are_stripped_and_host_lowered() -> None:
    url = "HTTPS://Shop.Example.com/p/1?utm_source=x&color=red&gclid=1&fbclid=2#top"
    assert normalize_url(url) == "https://shop.example.com/p/1?color=red"


def test_url_without_query_keeps_its_path() -> None:
    assert normalize_url("  https://a.example/  ") == "https://a.example/"
    assert normalize_url("") is None


def test_codes_and_strings() -> None:
    assert normalize_code(" usd ", 3) == "USD"
    assert normalize_code("gb", 2) == "GB"
    assert clean_str("   ") is None


def test_user_agent_shrinks_to_a_family() -> None:
    assert user_agent_family("Mozilla/5.0 (compatible; Googlebot/2.1)") == "bot"
    assert user_agent_family("python-requests/2.32") == "script"
    assert user_agent_family("Mozilla/5.0 ... Chrome/131.0 Safari/537.36") == "chrome"
