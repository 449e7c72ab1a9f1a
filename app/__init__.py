"""Headwater: a real-time retail data layer and recommendation engine on Faust and Kafka.

``faust -A app worker`` finds :data:`app` here. The App is built on first access so that
importing a helper module (settings, services) does not construct a Faust application.
"""

import os
from typing import Any

__all__ = ["app"]


def _default_loop() -> None:
    """Run the worker on uvloop unless the user chose a loop (``faust -L aio`` or FAUST_LOOP).

    asyncio's own loop spent about a tenth of the worker's CPU in its call_soon, task and
    socket plumbing: bench/bench_pipeline.py measured 3.05 ms CPU per event on it and 2.75 ms
    on uvloop. Faust applies an explicit choice when it is imported, before this runs; the
    worker's loop is created after the app is found, so setting the policy here is in time.
    """
    if os.environ.get("FAUST_LOOP") or os.environ.get("F_LOOP"):
        return
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return
    import mode.loop

    mode.loop.use("uvloop")


def __getattr__(name: str) -> Any:
    if name == "app":
        _default_loop()
        from app.core import app

        return app
    raise AttributeError(f"module 'app' has no attribute {name!r}")
