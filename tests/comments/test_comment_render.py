"""Comment bodies: the right mention and markup per tracker, a how-to per rule, our marker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.services.comment_body import (
    body_hash,
    is_own_body,
    render_findings,
    render_ready,
)
from connectors.item import Item, Person
from rules.engine import Engine, Finding
from tests.factories import make_item

VAGUE = "Add a button."


def findings_for(**overrides: Any) -> tuple[Item, list[Finding]]:
    item = make_item(description=VAGUE, estimate=None, **overrides)
    return item, Engine().evaluate(item)


def test_adf_has_a_real_mention_node_and_one_list_item_per_finding() -> None:
    settings = Settings()
    item, found = findings_for(reporter=Person(id="557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"))
    body = render_findings(item, found, "adf", settings).body
    first = body["content"][0]["content"]
    assert first[0] == {
        "type": "mention",
        "attrs": {"id": "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"},
    }
    assert first[2]["text"] == settings.comments.templates.header
    entries = body["content"][1]["content"]
    assert [e["type"] for e in entries] == ["listItem"] * 3
    how_tos = [e["content"][1]["content"][0]["text"] for e in entries]
    assert how_tos[0] == settings.comments.templates.why
    assert how_tos[1] == settings.comments.templates.outcome
    assert how_tos[2] == "Estimate it with the team and put the number in the Story Points field."
    assert is_own_body(body)


def test_wiki_mentions_cloud_account_ids_and_data_center_usernames() -> None:
    settings = Settings(jira={"estimate_field": "customfield_10016"})
    cloud, found = findings_for(reporter=Person(id="619a4432ebce470067f20384"))
    text = render_findings(cloud, found, "wiki", settings).body
    assert text.startswith("[~accountid:619a4432ebce470067f20384] ")
    assert "the customfield\\_10016 field" in text
    assert text.count("\n* *") == 3
    dc, found = findings_for(reporter=Person(id="jsmith"))
    assert render_findings(dc, found, "wiki", settings).body.startswith("[~jsmith] ")
    assert is_own_body(text)


def test_markdown_mentions_the_login_and_carries_the_hidden_marker() -> None:
    settings = Settings(comments={"templates": {"header": "Not ready yet, {please}."}})
    item, found = findings_for(source="github", key="o/r#1", reporter=Person(id="octocat"))
    text = render_findings(item, found, "markdown", settings).body
    assert text.splitlines()[0] == "<!-- refinery:comment -->"
    assert text.splitlines()[1] == "@octocat Not ready yet, {please}."
    assert 'Add the label "refinery-skip"' in text
    assert not is_own_body("You are totally right! I'll get this fixed right away.")


def test_hash_changes_with_findings_and_not_between_identical_renders() -> None:
    settings = Settings()
    item, found = findings_for()
    one = render_findings(item, found, "adf", settings)
    again = render_findings(item, list(found), "adf", settings)
    fewer = render_findings(item, found[:1], "adf", settings)
    assert one.content_hash == again.content_hash != fewer.content_hash
    assert body_hash(json.loads(json.dumps(one.body))) == one.content_hash
    ready = render_ready("markdown", settings)
    assert settings.comments.templates.ready in ready.body and is_own_body(ready.body)


def test_config_example_keys_load(tmp_path: Path) -> None:
    path = tmp_path / "refinery.toml"
    path.write_text('[comments.templates]\nestimate = "Put points in {where}."\n')
    from bot.config import load_settings

    assert load_settings(path).comments.templates.estimate == "Put points in {where}."


def test_comments_quote_what_already_counts_and_what_restates() -> None:
    settings = Settings()
    item = make_item(
        title="Archive posts",
        description="As an editor I want to archive a post so that the post is archived."
        " Raise weekly active editors from 40 to 55.",
        estimate=None,
    )
    engine = Engine()
    found, verdicts = engine.evaluate(item), engine.explain(item)
    assert {f.rule for f in found} == {"missing-why", "missing-estimate"}
    for fmt in ("markdown", "wiki", "adf"):
        body = render_findings(item, found, fmt, settings, verdicts).body
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        assert "What already counts" in text
        assert "Outcome: “" in text and "from 40 to 55" in text
        assert "so that the post is archived" in text  # the restating clause, quoted
