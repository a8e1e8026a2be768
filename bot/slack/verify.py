"""Check a Slack request's signature on the raw, size-capped body before anything parses it."""

from __future__ import annotations

import time

from slack_sdk.signature import SignatureVerifier

MAX_AGE = 5 * 60  # Slack's replay window: older timestamps are refused


def refusal(
    secret: str, body: bytes, timestamps: list[str], signatures: list[str], now: float | None = None
) -> str | None:
    """Why the request is refused (answer 401), or None when it is signed by Slack.

    Exactly one timestamp and one signature header; the timestamp is whole seconds within
    five minutes; the v0 HMAC of "v0:{timestamp}:{body}" matches in constant time.
    """
    if len(timestamps) != 1 or len(signatures) != 1:
        return "expected one X-Slack-Request-Timestamp and one X-Slack-Signature header"
    timestamp, signature = timestamps[0].strip(), signatures[0].strip()
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return "X-Slack-Request-Timestamp is not a number of seconds"
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > MAX_AGE:
        return "stale or future timestamp"
    verifier = SignatureVerifier(secret)
    if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
        return "signature does not match"
    return None
