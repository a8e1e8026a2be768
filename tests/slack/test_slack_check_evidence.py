"""`/refinery check KEY` shows what is missing and, quoted, what already counts."""

from __future__ import annotations

import json

from bot.slack.blocks import check_blocks
from rules.engine import Engine
from tests.factories import make_item


def test_check_answer_quotes_the_evidence() -> None:
    item = make_item(
        title="Duplicate finder",
        description="Flag likely duplicates so that support can merge tickets before replying.",
        estimate=None,
    )
    engine = Engine()
    found = engine.evaluate(item)
    blocks = check_blocks(item.key, item, found, engine.explain(item))
    text = json.dumps(blocks, ensure_ascii=False)
    assert "What already counts" in text
    assert "Why: “Flag likely duplicates so that support can merge tickets" in text
    assert {f.rule for f in found} == {"missing-outcome", "missing-estimate"}
    for finding in found:
        assert finding.message.split(":")[0] in text


def test_check_answer_without_verdicts_still_lists_the_findings() -> None:
    item = make_item(title="Add a blue button", description="Add a blue button.")
    found = Engine().evaluate(item)
    text = json.dumps(check_blocks(item.key, item, found), ensure_ascii=False)
    assert "What already counts" not in text and "Fix" in text


def test_one_assessment_gives_the_same_findings_and_verdicts_as_two_runs() -> None:
    """`check` runs each rule once: its findings are evaluate's, its verdicts explain's."""
    engine = Engine({"stale": {"enabled": True}})
    items = [
        make_item(description="Add a blue button.", estimate=None),
        make_item(description="Flag duplicates so that support can merge tickets faster."),
        make_item(),  # ready
    ]
    for item in items:
        findings, verdicts = engine.assess(item)
        assert findings == engine.evaluate(item)
        assert verdicts == engine.explain(item)
        assert {v.rule for v in verdicts if not v.passed} == {f.rule for f in findings}
    assert engine.assess(items[0])[0], "the first item has findings"
    assert not engine.assess(items[2])[0]
