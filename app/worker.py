"""The worker class the app runs (``faust -A app worker``)."""

from __future__ import annotations

import logging

import faust

from app.process import heap

log = logging.getLogger(__name__)


class Worker(faust.Worker):
    """Faust's worker without the start-up spinner.

    At ``-l warn`` or above, Faust's spinner sets the root logger to DEBUG so it can spin on
    every record, filtering them at the handler: aiokafka and Faust then build a log record for
    each message produced, only to drop it (measurements: docs/benchmarks.md, Design decisions,
    app/worker.py). Logs go to files and containers here, where a spinner shows nothing.
    """

    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        self.spinner = None
        super().on_setup_root_logger(logger, level)

    async def on_startup_finished(self) -> None:
        await super().on_startup_finished()
        heap.tune()
        heap.settle("worker start-up", collect=True)
        log.info("event loop: %s.%s", type(self.loop).__module__, type(self.loop).__name__)
