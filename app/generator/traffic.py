"""Sessions of shoppers and bots across the four event families, with labels.

Humans browse with irregular think times, run the storefront's script (``properties.js``),
search (sometimes pasting an e-mail address, a phone or a card number into the box), add to
cart, log in and buy. Bots fetch pages at a steady pace without running scripts. A share of
events is malformed: bytes that are not Avro at all, or valid Avro that breaks a rule.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

HUMAN_UAS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) Gecko/20100101 Firefox/133.0",
)
BOT_UAS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "python-requests/2.32.3",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/131.0 Safari/537.36",
    # A bot that lies about its user agent: only its behaviour gives it away.
    HUMAN_UAS[0],
)
QUERIES = (
    "blue light glasses", "daily contact lenses", "aviator sunglasses", "lens cleaning spray",
    "progressive lenses", "kids frames", "toric lenses -2.25", "polarized sport sunglasses",
    "titanium frames", "reading glasses +1.5",
)  # fmt: skip
PII_QUERIES = (
    "order for jane.doe@example.com", "call me 212-555-0199 about my lenses",
    "card 4111 1111 1111 1111 declined", "ship to 203.0.113.77 please",
    "my email is bob.smith@mailinator.com", "iban GB82 WEST 1234 5698 7654 32",
)  # fmt: skip
COUNTRIES = ("US", "GB", "DE", "FR", "NL", "ES")
DEVICES = ("desktop", "mobile", "tablet")


@dataclass(frozen=True)
class Generated:
    family: str
    key: bytes
    event: dict[str, Any] | None  # None for undecodable garbage
    label: str  # "human" | "bot" | "malformed"
    garbage: bytes = b""


@dataclass
class Catalog:
    product_ids: Sequence[str]
    prices: dict[str, Decimal] = field(default_factory=dict)

    @classmethod
    def synthetic(cls, n: int = 2000, seed: int = 3) -> Catalog:
        """Ids shaped like the seeded catalog's (P000001...), prices at random."""
        rng = random.Random(seed)
        ids = [f"P{i:06d}" for i in range(1, n + 1)]
        return cls(ids, {p: Decimal(rng.randrange(500, 40000)) / 100 for p in ids})

    @classmethod
    def from_seed(cls, n: int = 3000, seed: int = 42) -> Catalog:
        """The products of ``faust -A app catalog seed --products n`` with their prices."""
        from app.catalog.seed import generate

        catalog = generate(n, seed)
        prices: dict[str, Decimal] = {}
        for _sku, pid, _currency, amount, _valid in catalog.prices:
            prices[pid] = min(prices.get(pid, amount), amount)
        return cls([p[0] for p in catalog.products], prices)

    def pick(self, rng: random.Random) -> str:
        # Zipf-like popularity: a few products get most of the views.
        n = len(self.product_ids)
        return self.product_ids[min(n - 1, int(rng.paretovariate(1.2)) - 1)]

    def price(self, product_id: str) -> Decimal:
        return self.prices.get(product_id, Decimal("49.90"))


class TrafficGenerator:
    def __init__(
        self,
        catalog: Catalog | None = None,
        *,
        seed: int = 7,
        bot_share: float = 0.1,
        malformed_share: float = 0.05,
        pii_share: float = 0.2,
        now: datetime | None = None,
        users: int = 400,
    ) -> None:
        self.rng = random.Random(seed)
        self.catalog = catalog or Catalog.synthetic()
        self.bot_share = bot_share
        self.malformed_share = malformed_share
        self.pii_share = pii_share
        self.now = now or datetime.now(UTC)
        self.users = users

    # ------------------------------------------------------------------ public
    def events(self, total: int) -> list[Generated]:
        """Exactly ``total`` events with the requested shares (malformed and bot counts exact)."""
        n_bad = round(total * self.malformed_share)
        n_bot = round(total * self.bot_share)
        n_human = total - n_bad - n_bot
        humans = self._take(self._human_sessions(), n_human)
        bots = self._take(self._bot_sessions(), n_bot)
        bad = [self._malformed() for _ in range(n_bad)]
        merged = humans + bots
        self.rng.shuffle(bad)
        # Keep each session's order; interleave sessions and sprinkle malformed events.
        out: list[Generated] = []
        step = max(1, len(merged) // max(1, n_bad + 1))
        for i, g in enumerate(merged):
            out.append(g)
            if bad and (i + 1) % step == 0:
                out.append(bad.pop())
        out.extend(bad)
        return out

    # ------------------------------------------------------------------ sessions
    def _take(self, sessions: Iterator[list[Generated]], n: int) -> list[Generated]:
        out: list[Generated] = []
        while len(out) < n:
            out.extend(next(sessions))
        return out[:n]

    def _base(self, family: str, kind: str, at: datetime, who: dict[str, Any]) -> dict[str, Any]:
        ev = {
            "event_id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "event_type": kind,
            "occurred_at": at,
            "user_id": who["user_id"],
            "anonymous_id": who["anonymous_id"],
            "session_id": who["session_id"],
            "user_agent": who["ua"],
            "ip": who["ip"],
        }
        if family in ("clickstream", "session"):
            ev["device"] = who["device"]
            ev["country"] = who["country"]
        return ev

    def _who(self, bot: bool) -> dict[str, Any]:
        rng = self.rng
        n = rng.randrange(self.users)
        logged_in = not bot and rng.random() < 0.5
        return {
            "user_id": f"user-{n}" if logged_in else None,
            "anonymous_id": f"anon-{'b' if bot else 'h'}{n}-{rng.randrange(10**6)}",
            "session_id": f"s-{rng.getrandbits(48):012x}",
            "ua": rng.choice(BOT_UAS if bot else HUMAN_UAS),
            "ip": f"198.51.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            "device": "desktop" if bot else rng.choice(DEVICES),
            "country": rng.choice(COUNTRIES),
            "email": f"{'shopper'}{n}@example.com",
        }

    def _human_sessions(self) -> Iterator[list[Generated]]:
        rng = self.rng
        while True:
            who = self._who(bot=False)
            key = (who["user_id"] or who["anonymous_id"]).encode()
            at = self.now - timedelta(minutes=rng.uniform(5, 50))
            out: list[Generated] = []

            def emit(
                family: str, ev: dict[str, Any], out: list[Generated] = out, key: bytes = key
            ) -> None:
                out.append(Generated(family, key, ev, "human"))

            emit(
                "session",
                {
                    **self._base("session", "session_start", at, who),
                    "landing_url": "https://shop.example.com/?utm_source=news&gclid=x1",
                },
            )
            for _ in range(rng.randint(2, 12)):
                at += timedelta(seconds=rng.lognormvariate(2.7, 0.9))
                roll = rng.random()
                if roll < 0.15:
                    q = rng.choice(PII_QUERIES if rng.random() < self.pii_share else QUERIES)
                    ev = {
                        **self._base("clickstream", "search", at, who),
                        "query": q,
                        "url": "https://shop.example.com/search?q=x&utm_medium=cpc",
                        "properties": {"js": "1"},
                    }
                else:
                    pid = self.catalog.pick(rng)
                    kind = "add_to_cart" if roll > 0.85 else "product_view"
                    ev = {
                        **self._base("clickstream", kind, at, who),
                        "product_id": pid,
                        "price": self.catalog.price(pid),
                        "currency": "EUR",
                        "quantity": 1 if kind == "add_to_cart" else None,
                        "url": f"https://Shop.Example.com/p/{pid}?fbclid=abc&color=red",
                        "properties": {"js": "1"},
                    }
                emit("clickstream", ev)
            if rng.random() < 0.3:
                at += timedelta(seconds=rng.uniform(5, 40))
                kind = "login" if rng.random() < 0.85 else "failed_login"
                emit(
                    "auth",
                    {
                        **self._base("auth", kind, at, who),
                        "email": who["email"],
                        "method": "password",
                        "success": kind == "login",
                    },
                )
            if rng.random() < 0.2:
                at += timedelta(seconds=rng.uniform(10, 60))
                items: list[dict[str, Any]] = []
                for _ in range(rng.randint(1, 3)):
                    pid = self.catalog.pick(rng)
                    items.append(
                        {
                            "product_id": pid,
                            "quantity": rng.randint(1, 2),
                            "unit_price": self.catalog.price(pid),
                        }
                    )
                total = sum((i["unit_price"] * i["quantity"] for i in items), Decimal(0))
                emit(
                    "conversion",
                    {
                        **self._base("conversion", "order", at, who),
                        "order_id": f"o-{rng.getrandbits(40):010x}",
                        "items": items,
                        "total": total,
                        "currency": "EUR",
                        "email": who["email"],
                    },
                )
            at += timedelta(seconds=rng.uniform(5, 30))
            emit("session", self._base("session", "session_end", at, who))
            yield out

    def _bot_sessions(self) -> Iterator[list[Generated]]:
        rng = self.rng
        while True:
            who = self._who(bot=True)
            key = who["anonymous_id"].encode()
            at = self.now - timedelta(minutes=rng.uniform(5, 50))
            gap = rng.uniform(0.3, 1.5)
            out = []
            for _ in range(rng.randint(15, 60)):
                at += timedelta(seconds=gap * rng.uniform(0.97, 1.03))
                pid = self.catalog.pick(rng)
                ev = {
                    **self._base("clickstream", "product_view", at, who),
                    "product_id": pid,
                    "url": f"https://shop.example.com/p/{pid}",
                }
                out.append(Generated("clickstream", key, ev, "bot"))
            yield out

    # ------------------------------------------------------------------ malformed
    def _malformed(self) -> Generated:
        rng = self.rng
        who = self._who(bot=False)
        key = who["anonymous_id"].encode()
        at = self.now - timedelta(minutes=rng.uniform(1, 30))
        kind = rng.randrange(5)
        if kind == 0:
            return Generated(
                "clickstream", key, None, "malformed", garbage=b'{"not": "avro"}' + rng.randbytes(8)
            )
        ev = {
            **self._base("clickstream", "product_view", at, who),
            "product_id": "P000001",
            "price": Decimal("10.00"),
            "currency": "EUR",
            "properties": {"js": "1"},
        }
        if kind == 1:
            ev["price"] = Decimal("-5.00")
        elif kind == 2:
            ev["occurred_at"] = self.now + timedelta(days=2)
        elif kind == 3:
            ev["product_id"] = "bad id with spaces"
        else:
            ev["product_id"] = None  # a product view must name its product
        return Generated("clickstream", key, ev, "malformed")
