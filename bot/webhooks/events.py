"""Read a webhook payload into one event, checking its shape before the request is answered.

Decoding the JSON is done here; the source's connector reads the vendor's shape."""

from __future__ import annotations

import json

from connectors import registry
from connectors.events import Event, Malformed


def read_event(source: str, name: str, body: bytes) -> Event:
    """Parse a delivery's raw body once into its event; raise Malformed on bad JSON or shape.

    `name` is the event header's value, for sources that name events in a header."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Malformed("body is not JSON") from exc
    except RecursionError as exc:
        raise Malformed("JSON nested too deep") from exc
    return registry.get(source).read_event(name, payload)
