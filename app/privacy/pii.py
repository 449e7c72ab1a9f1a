"""Presidio behind an async service: free text in, masked text and entity types out.

Presidio's default ``AnalyzerEngine()`` downloads a spaCy model, which cannot happen offline.
We build the engine explicitly: the ``no_op`` NLP engine keeps every pattern recognizer (email,
phone, card, IP, IBAN, SSN, ...) and needs no model; any installed spaCy model name adds the
NER-based PERSON and LOCATION at a cost in throughput. tldextract, used by the email
recognizer, would fetch the public-suffix list from the network: it is pointed at its bundled
snapshot instead.
"""

from __future__ import annotations

import re
import types
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from app.errors import ConfigError
from app.process.offload import Offload

#: With no NER model every active recognizer is a pattern whose matches contain a digit, "@"
#: (email) or ":" (IPv6): text without any of them cannot match, so Presidio is skipped for it.
#: Any other entity (or a spaCy model) turns the shortcut off.
_PATTERN_ONLY = frozenset(
    {
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "IP_ADDRESS",
        "IBAN_CODE",
        "US_SSN",
        "UK_NHS",
        "CRYPTO",
        "US_BANK_NUMBER",
    }
)
_CAN_MATCH = re.compile(r"[0-9@:]")
#: Texts Presidio found clean, remembered (search queries repeat); texts with PII are not kept.
CLEAN_CACHE_SIZE = 50_000


@dataclass(frozen=True)
class Masked:
    text: str
    entities: tuple[str, ...]


def _offline_tldextract() -> None:
    import tldextract
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer

    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    email_recognizer.tldextract = types.SimpleNamespace(extract=extractor)  # type: ignore[assignment]


def build_analyzer(model: str):  # type: ignore[no-untyped-def]
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    _offline_tldextract()
    engine_name = "no_op" if model == "no_op" else "spacy"
    config = {
        "nlp_engine_name": engine_name,
        "models": [{"lang_code": "en", "model_name": "none" if model == "no_op" else model}],
    }
    try:
        nlp = NlpEngineProvider(nlp_configuration=config).create_engine()
    except (OSError, ValueError) as err:
        raise ConfigError(
            f"PII_NLP_MODEL={model!r} cannot be loaded ({err}); install that spaCy model "
            "package or use 'no_op'"
        ) from err
    return AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])


class PiiMasker:
    """Masks detected entities as ``<ENTITY_TYPE>``; runs Presidio on its own thread, or inline
    when the texts are expected to take under ``INLINE_BELOW_SECONDS``
    (:class:`app.process.offload.Offload`)."""

    def __init__(self, model: str, entities: Sequence[str]) -> None:
        self.model = model
        self.entities = [e.strip() for e in entities if e.strip()]
        self._analyzer = None
        self._active: list[str] = []
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="presidio")
        self._offload = Offload(self._executor, exclusive=True)
        self._clean: OrderedDict[str, None] = OrderedDict()
        self._shortcut = False

    def _engine(self):  # type: ignore[no-untyped-def]
        if self._analyzer is None:
            analyzer = build_analyzer(self.model)
            # PERSON and LOCATION need an NER model; with no_op they have no recognizer.
            supported = set(analyzer.get_supported_entities(language="en"))
            self._active = [e for e in self.entities if e in supported]
            self._shortcut = self.model == "no_op" and set(self._active) <= _PATTERN_ONLY
            self._analyzer = analyzer
        return self._analyzer

    def mask(self, text: str) -> Masked:
        """Blocking: use :meth:`mask_many` on the loop."""
        if not text or not text.strip():
            return Masked(text, ())
        engine = self._engine()
        if self._shortcut and _CAN_MATCH.search(text) is None:
            return Masked(text, ())
        if text in self._clean:
            self._clean.move_to_end(text)
            return Masked(text, ())
        results = engine.analyze(text=text, language="en", entities=self._active)
        if not results:
            self._clean[text] = None
            if len(self._clean) > CLEAN_CACHE_SIZE:
                self._clean.popitem(last=False)
            return Masked(text, ())
        # Overlapping hits (a phone number also read as an NHS number): keep the widest.
        spans: list[tuple[int, int, str]] = []
        for r in sorted(results, key=lambda r: (r.start, -(r.end - r.start))):
            if spans and r.start < spans[-1][1]:
                continue
            spans.append((r.start, r.end, r.entity_type))
        out, last = [], 0
        for start, end, kind in spans:
            out.append(text[last:start])
            out.append(f"<{kind}>")
            last = end
        out.append(text[last:])
        return Masked("".join(out), tuple(sorted({k for _, _, k in spans})))

    async def mask_many(self, texts: Sequence[str]) -> list[Masked]:
        return await self._offload.run(lambda: [self.mask(t) for t in texts], len(texts))

    async def warm_up(self) -> None:
        await self.mask_many(["warm up 555-0100"])
