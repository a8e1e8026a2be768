"""The intake service on its own: validation, the claim, and releasing it when a tracker fails."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import OperationalError

from bot.services.intake import (
    Conflict,
    Destination,
    Intake,
    IntakeError,
    RequestInput,
    TrackerFailed,
)
from bot.store import Store
from tests.factories import make_item
from tests.slack.fake_tracker import FakeTracker

JIRA = Destination("jira", "PAY", "Story")


@pytest.fixture
def intake(store: Store, tracker: FakeTracker) -> Intake:
    return Intake(store, lambda source: tracker, {"jira": "triage"})


def new(intake: Intake, requester: str = "UREQ") -> int:
    return intake.submit(RequestInput("CSV export", "Finance re-types invoices", requester)).id


def test_title_and_why_are_required(intake: Intake) -> None:
    with pytest.raises(IntakeError):
        intake.submit(RequestInput("CSV export", "   ", "UREQ"))
    with pytest.raises(IntakeError):
        intake.submit(RequestInput("", "why", "UREQ"))
    assert intake.requests() == []


def test_stale_version_is_a_conflict(intake: Intake, tracker: FakeTracker) -> None:
    request_id = new(intake)
    with pytest.raises(Conflict, match="changed since you opened it"):
        intake.accept(request_id, 5, "UPO", JIRA)
    assert tracker.drafts == []


def test_second_decision_is_a_conflict_naming_the_first(intake: Intake) -> None:
    request_id = new(intake)
    intake.decline(request_id, 0, "UPO", "Not now")
    with pytest.raises(Conflict, match="already declined") as caught:
        intake.accept(request_id, 0, "UPO2", JIRA)
    assert caught.value.current is not None and caught.value.current.status == "declined"
    assert [d.action for d in intake.decisions(request_id)] == ["decline"]


def test_tracker_failure_releases_the_claim(intake: Intake, tracker: FakeTracker) -> None:
    request_id = new(intake)
    tracker.fail_next = 1
    with pytest.raises(TrackerFailed, match="issue type 'Story' not in project"):
        intake.accept(request_id, 0, "UPO", JIRA)
    row = intake.get(request_id)
    assert row is not None and (row.status, row.version) == ("pending", 2)
    assert intake.decisions() == []
    decided = intake.accept(request_id, 2, "UPO", JIRA)
    assert (decided.request.status, decided.request.ticket_key) == ("accepted", "PAY-101")


def test_decline_needs_a_reason(intake: Intake) -> None:
    request_id = new(intake)
    with pytest.raises(IntakeError, match="reason"):
        intake.decline(request_id, 0, "UPO", " ")
    row = intake.get(request_id)
    assert row is not None and row.status == "pending"


def test_only_the_requester_adds_details_and_only_when_asked(intake: Intake) -> None:
    request_id = new(intake)
    with pytest.raises(Conflict, match="not waiting"):
        intake.add_details(request_id, "UREQ", "more")
    intake.need_info(request_id, 0, "UPO", "How many?")
    with pytest.raises(IntakeError, match="Only the requester"):
        intake.add_details(request_id, "USOMEONE", "more")
    row = intake.add_details(request_id, "UREQ", "About 300")
    assert (row.status, row.version) == ("pending", 2)


def test_need_info_needs_a_slack_requester(intake: Intake) -> None:
    request_id = new(intake, requester="")
    with pytest.raises(IntakeError, match="no Slack requester"):
        intake.need_info(request_id, 0, "UPO", "How many?")


def test_duplicate_must_name_a_stored_item(intake: Intake, store: Store) -> None:
    request_id = new(intake)
    with pytest.raises(IntakeError, match="No item PAY-9"):
        intake.duplicate(request_id, 0, "UPO", "PAY-9")
    store.upsert_items([make_item(key="PAY-9", url="https://example.atlassian.net/browse/PAY-9")])
    decided = intake.duplicate(request_id, 0, "UPO", " PAY-9 ")
    assert (decided.request.status, decided.request.ticket_url) == (
        "duplicate",
        "https://example.atlassian.net/browse/PAY-9",
    )
    assert decided.decision.target == "PAY-9"


def test_triage_import_skips_done_and_unlabelled_items(intake: Intake, store: Store) -> None:
    store.upsert_items(
        [
            make_item(key="PAY-1", labels=("TRIAGE",)),
            make_item(key="PAY-2", labels=("triage",), status_category="done"),
            make_item(key="PAY-3"),
        ]
    )
    assert [row.origin_key for row in intake.import_triage()] == ["PAY-1"]
    assert intake.import_triage() == []


def test_triage_import_matches_labels_not_mentions(store: Store, tracker: FakeTracker) -> None:
    intake = Intake(store, lambda source: tracker, {"jira": "Prüfen"})
    store.upsert_items(
        [
            make_item(key="PAY-1", labels=("prüfen",)),
            make_item(key="PAY-2", title="Prüfen später", labels=("other",)),
            make_item(key="PAY-3", labels=("50%_off",)),
        ]
    )
    assert [row.origin_key for row in intake.import_triage()] == ["PAY-1"]
    odd = Intake(store, lambda source: tracker, {"jira": "50%_off"})
    assert [row.origin_key for row in odd.import_triage()] == ["PAY-3"]


def test_a_tracker_failure_is_logged_with_the_item_key_and_traceback(
    intake: Intake, store: Store, tracker: FakeTracker, caplog: pytest.LogCaptureFixture
) -> None:
    store.upsert_items([make_item(key="PAY-41", labels=("triage",))])
    (row,) = intake.import_triage()
    tracker.fail_next = 1
    with pytest.raises(TrackerFailed), caplog.at_level(logging.WARNING, "bot.services.intake"):
        intake.decline(row.id, 0, "UPO", "not now")
    (record,) = caplog.records
    assert "PAY-41" in record.getMessage() and record.exc_info is not None
    assert intake.get(row.id).status == "pending"  # type: ignore[union-attr]


def test_an_unexpected_tracker_error_keeps_the_claim_and_is_not_called_a_refusal(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug is not "the tracker refused, nothing was decided": it may have acted, so the
    request stays claimed for a person to check (refinery requests --release)."""

    class Broken(FakeTracker):
        def close(self, key: str, reason: str, *, to_status: str = "") -> None:
            raise KeyError("fields")

    intake = Intake(store, lambda source: Broken(source), {"jira": "triage"})
    store.upsert_items([make_item(key="PAY-42", labels=("triage",))])
    (row,) = intake.import_triage()
    with pytest.raises(KeyError), caplog.at_level(logging.ERROR, "bot.services.intake"):
        intake.decline(row.id, 0, "UPO", "not now")
    (record,) = caplog.records
    assert "PAY-42" in record.getMessage() and "stays 'declining'" in record.getMessage()
    assert record.exc_info is not None
    assert intake.get(row.id).status == "declining"  # type: ignore[union-attr]
    assert intake.release_claim(row.id).status == "pending"


def test_a_failed_duplicate_search_never_loses_the_request(
    store: Store, tracker: FakeTracker, caplog: pytest.LogCaptureFixture
) -> None:
    def search(row: object) -> list[dict[str, object]]:
        raise OperationalError("SELECT ...", {}, Exception("no such module: fts5"))

    intake = Intake(store, lambda source: tracker, {}, suggest=search)
    with caplog.at_level(logging.ERROR, "bot.services.intake"):
        row = intake.submit(RequestInput("CSV export", "Finance re-types invoices", "UREQ"))
    assert intake.get(row.id) is not None and "suggestions" not in row.extra
    assert "duplicate search failed" in caplog.text
