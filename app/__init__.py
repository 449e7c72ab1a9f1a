"""Headwater: a real-time retail data layer and recommendation engine on Faust and Kafka.

``faust -A app worker`` finds :data:`app` here. The App is built on first access so that
importing a helper module (settings, services) does not construct a Faust application.
"""

from typing import Any

__all__ = ["app"]


def __getattr__(name: str) -> Any:
    if name == "app":
        from app.core import app

        return app
    raise AttributeError(f"module 'app' has no attribute {name!r}")
