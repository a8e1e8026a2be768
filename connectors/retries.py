"""Tell listeners about every retried request to a source, without connectors knowing who listens.

The clients' retry handlers (urllib3's Retry for GitHub, the jira library's ResilientSession)
call `retried` each time they decide to try a request again; the application subscribes with
`on_retry` (its Prometheus counter does), so connectors stay free of the application."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

# (source, reason): reason is the HTTP status ("429", "503") or "connection_error".
RetryListener = Callable[[str, str], None]
CONNECTION_ERROR = "connection_error"

_listeners: list[RetryListener] = []
_lock = threading.Lock()


def on_retry(listener: RetryListener) -> Callable[[], None]:
    """Call `listener(source, reason)` on every retried request; returns the unsubscriber."""
    with _lock:
        if listener not in _listeners:
            _listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return unsubscribe


def retried(source: str, status: int | None) -> None:
    """Report one retry of a request to `source`: after HTTP `status`, or (None) a connection
    error. A failing listener is logged, never raised into the request."""
    reason = str(status) if status is not None else CONNECTION_ERROR
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(source, reason)
        except Exception:  # a listener's bug must not fail the request it observes
            log.exception("retry listener %r failed for %s (%s)", listener, source, reason)
