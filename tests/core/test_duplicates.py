"""Duplicate search on the database's own full-text index, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from bot.services.duplicates import DuplicateFinder, profile, similarity
from bot.store import Store
from tests.factories import make_item

EXPORT = make_item(
    key="PAY-7",
    title="Export invoices as CSV",
    text="Finance re-types every invoice into the ledger by hand; a CSV export would end that.",
)
SEARCH = make_item(
    key="PAY-8",
    title="Search results load slowly",
    text="Searching the catalogue takes several seconds for large tenants.",
)
DARK = make_item(key="PAY-9", title="Dark mode for the dashboard", text="Night shift asks.")


def test_the_closest_item_is_suggested_and_unrelated_ones_are_not(store: Store) -> None:
    store.upsert_items([EXPORT, SEARCH, DARK])
    finder = DuplicateFinder(store, threshold=0.3)
    found = finder.suggest("CSV export of invoices", "Finance wants invoices exported to CSV")
    assert [s.key for s in found] == ["PAY-7"]
    assert found[0].url == EXPORT.url and 0.3 <= found[0].score <= 1.0
    assert finder.suggest("Dark mode for the dashboard")[0].key == "PAY-9"
    assert finder.suggest("Onboarding checklist for new hires") == []


def test_the_index_follows_edits_and_gone_items(store: Store) -> None:
    store.upsert_items([EXPORT, SEARCH])
    finder = DuplicateFinder(store, threshold=0.3)
    renamed = make_item(key="PAY-8", title="Dark mode for the dashboard", text="Night shift.")
    store.upsert_items([renamed])  # the trigger re-indexes the changed row
    assert [s.key for s in finder.suggest("dashboard dark mode")] == ["PAY-8"]
    assert finder.suggest("search results load slowly") == []
    store.mark_gone("jira", ["PAY-8"])
    assert finder.suggest("dashboard dark mode") == []


def test_at_most_limit_best_first_and_excluded_keys_skipped(store: Store) -> None:
    items = [
        make_item(key=f"PAY-{n}", title=f"Export invoices as CSV variant {n}", text="CSV export")
        for n in range(20, 26)
    ]
    store.upsert_items(items)
    finder = DuplicateFinder(store, threshold=0.1, limit=3)
    found = finder.suggest("Export invoices as CSV", exclude=["PAY-20"])
    assert len(found) == 3 and "PAY-20" not in {s.key for s in found}
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_query_words_are_never_index_syntax(store: Store) -> None:
    store.upsert_items([EXPORT])
    finder = DuplicateFinder(store, threshold=0.0)
    for text in ('NOT "export" OR (invoices*', "a & b | !c <-> d:*", "':;", ""):
        finder.suggest(text, text)  # no syntax error from either database


def test_similarity_is_a_cosine() -> None:
    same = profile("Export invoices", "as CSV")
    assert similarity(same, same) == 1.0
    assert similarity(same, profile("Dark mode", "")) == 0.0
    assert 0 < similarity(same, profile("Export reports", "")) < 1


def test_tracker_triage_requests_carry_suggestions_but_never_themselves(store: Store) -> None:
    from bot.config import Settings
    from bot.services.duplicates import request_suggester
    from bot.services.intake import Intake, RequestInput

    triaged = make_item(
        key="PAY-30",
        title="CSV export of invoices",
        text="Finance wants every invoice exported to CSV for the ledger.",
        labels=("triage",),
    )
    store.upsert_items([EXPORT, DARK, triaged])
    intake = Intake(
        store,
        lambda source: None,  # type: ignore[arg-type,return-value]
        {"jira": "triage"},
        suggest=request_suggester(store, Settings()),
    )
    (row,) = intake.import_triage()
    assert [s["key"] for s in row.extra["suggestions"]] == ["PAY-7"]
    slack = intake.submit(
        RequestInput(title="Dark mode for the dashboard", why="night", requester="U1")
    )
    assert [s["key"] for s in slack.extra["suggestions"]] == ["PAY-9"]
    off = Settings(duplicates={"enabled": False})
    assert request_suggester(store, off) is None
