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
