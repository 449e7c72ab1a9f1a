"""Faust's current event and its producer, set and read from batch code."""

from __future__ import annotations

import weakref
from typing import Any, cast

from faust import EventT
from faust.streams import _current_event
from faust.types import AppT


def kafka_producer(app: AppT) -> Any:
    """The aiokafka producer inside Faust's, for :mod:`app.streaming.batch_send`.

    Faust starts it with the worker; ``_ensure_producer`` raises if it has not started yet.
    """
    return cast(Any, app.producer)._ensure_producer()


def as_current_event(event: EventT) -> None:
    """Make ``event`` the stream's current event.

    Faust tables write to the store and changelog partition of the current event. Inside
    ``stream.take_events`` the current event is the last one buffered, which may come from
    another partition than the key being written; batch code calls this per key first.
    """
    _current_event.set(weakref.ref(event))
