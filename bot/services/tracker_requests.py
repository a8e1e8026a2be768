"""Tracker requests: the intake queue that also takes triage-labelled or triage-status items."""

from __future__ import annotations

from bot.config import Settings
from bot.services.intake import Authoriser, Intake, TrackerFor
from bot.store import Store


def make_intake(
    store: Store, settings: Settings, tracker_for: TrackerFor, owners: Authoriser | None = None
) -> Intake:
    """The intake queue with the triage labels and statuses the settings name; with `owners`,
    every decision is checked against the global and per-team product owners."""
    from bot.services.duplicates import request_suggester

    return Intake(
        store,
        tracker_for,
        {"jira": settings.jira.triage_label, "github": settings.github.triage_label},
        triage_statuses={"jira": settings.jira.triage_status},
        accepted_statuses={"jira": settings.jira.accepted_status},
        suggest=request_suggester(store, settings),
        owners=owners,
    )
