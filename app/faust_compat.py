"""The one place we reach into Faust internals, with the reason for each."""

from __future__ import annotations

import weakref

from faust import EventT
from faust.streams import _current_event


def as_current_event(event: EventT) -> None:
    """Make ``event`` the stream's current event.

    Faust tables write to the store and changelog partition of the current event. Inside
    ``stream.take_events`` the current event is the last one buffered, which may come from
    another partition than the key being written; batch code calls this per key first.
    """
    _current_event.set(weakref.ref(event))
