"""Tracker requests: the intake queue that also takes triage-labelled or triage-status items."""

from __future__ import annotations

from bot.config import Settings
from bot.services.intake import Authoriser, Intake, TrackerFor
from bot.store import Store
from connectors import registry


def make_intake(
    store: Store, settings: Settings, tracker_for: TrackerFor, owners: Authoriser | None = None
) -> Intake:
    """The intake queue with the triage labels and statuses the settings name; with `owners`,
    every decision is checked against the global and per-team product owners."""
    from bot.services.duplicates import request_suggester

    triage = {
        name: connector.triage(registry.section_of(settings, name))
        for name, connector in registry.CONNECTORS.items()
    }
    return Intake(
        store,
        tracker_for,
        {name: triage[name][0] for name in triage},
        triage_statuses={name: triage[name][1] for name in triage},
        accepted_statuses={name: triage[name][2] for name in triage},
        suggest=request_suggester(store, settings),
        owners=owners,
    )
