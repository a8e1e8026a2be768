"""The outcome target a done item named: the quoted span, whichever way the engine tells it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.outcome_target import outcome_target
from rules.engine import Engine
from tests.factories import make_item


def done(**overrides: object) -> object:
    return make_item(status_category="done", status="Done", **overrides)


def test_the_target_sentence_field_or_section_is_quoted() -> None:
    engine = Engine()
    sentence = done(text="Refunds pile up. Cut refund tickets by 30% this quarter. Thanks.")
    assert outcome_target(engine, sentence) == "Cut refund tickets by 30% this quarter."  # type: ignore[arg-type]
    field = done(text="Nothing measurable here.", outcome="Churn below 2% by Q3")
    assert outcome_target(engine, field) == "Churn below 2% by Q3"  # type: ignore[arg-type]
    section = done(
        text="Why: people wait.",
        sections={"success metrics": "Median time to first reply halves."},
    )
    assert outcome_target(engine, section) == "Median time to first reply halves."  # type: ignore[arg-type]


def test_no_target_no_scope_no_rule() -> None:
    assert outcome_target(Engine(), done(text="Add a blue button.")) is None  # type: ignore[arg-type]
    bug = done(kind="bug", type="Bug", text="Cut refund tickets by 30%.")
    assert outcome_target(Engine(), bug) is None  # type: ignore[arg-type]
    off = Engine({"missing-outcome": {"enabled": False}})
    assert outcome_target(off, done(text="Cut refund tickets by 30%.")) is None  # type: ignore[arg-type]


@dataclass
class Verdict:
    rule: str
    passed: bool
    evidence: str | None
    reason: str


class ExplainingEngine(Engine):
    """An engine with the explain() API: its evidence is used as is."""

    def explain(self, item: object) -> list[Verdict]:
        return [
            Verdict("missing-why", True, "because", ""),
            Verdict("missing-outcome", True, "“cut refund tickets by 30%”", "a target"),
        ]


def test_with_explain_the_passed_verdicts_evidence_is_the_target() -> None:
    item = done(text="whatever the text says")
    assert outcome_target(ExplainingEngine(), item) == "“cut refund tickets by 30%”"  # type: ignore[arg-type]
