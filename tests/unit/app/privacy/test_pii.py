import pytest

from app.privacy.pii import PiiMasker

ENTITIES = ["EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IP_ADDRESS", "IBAN_CODE", "UK_NHS"]


@pytest.fixture(scope="module")
def masker() -> PiiMasker:
    return PiiMasker("no_op", ENTITIES)


@pytest.mark.parametrize(
    ("text", "secret", "entity"),
    [
        ("order for jane.doe@example.com", "jane.doe@example.com", "EMAIL_ADDRESS"),
        ("call me 212-555-0199 today", "212-555-0199", None),
        ("card 4111 1111 1111 1111 declined", "4111 1111 1111 1111", "CREDIT_CARD"),
        ("ship to 203.0.113.77", "203.0.113.77", "IP_ADDRESS"),
        ("iban GB82 WEST 1234 5698 7654 32", "GB82 WEST 1234 5698 7654 32", "IBAN_CODE"),
    ],
)
def test_entities_are_masked_offline(
    masker: PiiMasker, text: str, secret: str, entity: str | None
) -> None:
    masked = masker.mask(text)
    assert secret not in masked.text
    assert masked.entities
    if entity:
        assert entity in masked.entities
        assert f"<{entity}>" in masked.text


def test_plain_text_is_untouched(masker: PiiMasker) -> None:
    assert masker.mask("aviator sunglasses size 52").text == "aviator sunglasses size 52"


async def test_mask_many_runs_off_the_loop(masker: PiiMasker) -> None:
    out = await masker.mask_many(["a@b.co", "", "plain"])
    assert [m.text for m in out] == ["<EMAIL_ADDRESS>", "", "plain"]


SAMPLES = [
    "aviator sunglasses size 52",
    "blue light glasses",
    "write to jane.doe@example.com",
    "ship to fe80::1ff:fe23:4567:890a",
    "call +44 20 7946 0958",
    "card 4111 1111 1111 1111",
    "wallet 1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
    "varifocal lenses for reading",
    "",
]


def test_shortcut_and_cache_change_no_result(masker: PiiMasker) -> None:
    # The same texts through Presidio every time (shortcut and cache off) give the same masks.
    full = PiiMasker("no_op", ENTITIES)
    full._engine()
    full._shortcut = False
    for text in SAMPLES * 2:
        assert masker.mask(text) == full.mask(text)
        full._clean.clear()


def test_text_that_cannot_match_skips_presidio(
    masker: PiiMasker, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = masker._engine()
    calls: list[str] = []
    real = engine.analyze
    monkeypatch.setattr(
        engine, "analyze", lambda text, **kw: calls.append(text) or real(text, **kw)
    )
    masker.mask("progressive lenses")
    masker.mask("size 52 frames")
    masker.mask("size 52 frames")
    assert calls == ["size 52 frames"]  # letters only: skipped; the repeat: from the cache


def test_texts_with_pii_are_not_remembered(masker: PiiMasker) -> None:
    masker.mask("mail me at a.b@example.org")
    assert "mail me at a.b@example.org" not in masker._clean


def test_a_spacy_model_turns_the_shortcut_off() -> None:
    # NER finds names in letters-only text: the shortcut would miss them.
    assert PiiMasker("en_core_web_sm", ["PERSON"])._shortcut is False
