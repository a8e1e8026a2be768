"""One log line per HTTP request: method, path, status, duration. Never bodies or headers."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from bot import metrics

log = logging.getLogger("bot.access")


def install_access_log(app: Flask) -> None:
    """Log every answered request at INFO (logger `bot.access`) and count it for /metrics."""

    @app.before_request
    def _started() -> None:
        g.refinery_started = time.perf_counter()

    @app.after_request
    def _answered(response: Response) -> Response:
        started = g.get("refinery_started")
        seconds = time.perf_counter() - started if started is not None else 0.0
        # The route pattern, not the raw path, labels metrics: unknown paths must not
        # create one time series each.
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        metrics.request_answered(request.method, route, response.status_code, seconds)
        # request.path drops the query string: it may hold tokens a client put there.
        log.info(
            "%s %s %s %.1f ms",
            request.method,
            request.path,
            response.status_code,
            seconds * 1000,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
        return response
