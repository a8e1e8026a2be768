"""analyze(): ADF, wiki markup, Markdown and plain text into plain text and sections."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.text import Text, analyze, is_placeholder, meaningful

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def load(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text())


# --- ADF ----------------------------------------------------------------------------------


def test_adf_rich_document() -> None:
    text = analyze(load("jira/adf_rich_document.json"), "adf")
    lines = text.plain.split("\n")
    assert lines[:4] == ["H1", "H2", "1. Some text", "2. Some more text"]
    for expected in [
        "Blockquote text",  # blockquote
        "Inline Node https://antiklabs.atlassian.net/wiki/spaces/ANK/pages/124234/hello-world",
        "Panel paragraph",
        "@Person A",  # mention
        "Strong Paragraph 1",  # marks keep their text
        "Prefix: Strikethrough text",
        "New level",  # 4th level of a nested bullet list
        "fourth level",
        "Table row 2 column 3",
    ]:
        assert expected in lines, expected
    assert '\tfmt.Println("Hello, World!")' not in lines  # code is not prose
    # headings become sections: everything after "H2" belongs to it
    assert set(text.sections) >= {"h1", "h2"}
    assert text.sections["h1"] == ""
    assert text.sections["h2"].startswith("1. Some text\n2. Some more text\nBlockquote text")


def test_adf_description_of_recorded_search_issue() -> None:
    issues = {i["key"]: i for i in load("jira/search_v3_legacy_real.trimmed.json")["issues"]}
    assert analyze(issues["TMSP-23"]["fields"]["description"], "adf") == Text("clone", {})
    assert analyze(issues["TMSP-64"]["fields"]["description"], "adf") == Text()


def test_adf_inline_atoms_and_labels() -> None:
    doc = {
        "type": "doc",
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "Why:", "marks": [{"type": "strong"}]},
                    {"type": "text", "text": " agents ask "},
                    {"type": "mention", "attrs": {"id": "abc", "text": "@Ann"}},
                    {"type": "text", "text": " "},
                    {"type": "emoji", "attrs": {"shortName": ":smile:", "text": "😄"}},
                    {"type": "hardBreak"},
                    {"type": "status", "attrs": {"text": "BLOCKED", "color": "red"}},
                    {"type": "date", "attrs": {"timestamp": "1700000000000"}},
                    {"type": "placeholder", "attrs": {"text": "Type the reason here"}},
                ],
            },
            {
                "type": "expand",
                "attrs": {"title": "Outcome"},
                "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": "Fewer tickets"}]},
                ],
            },
            {"type": "someFutureNode", "content": [{"type": "text", "text": "still read"}]},
            {"type": "rule"},
            {"type": "mediaSingle", "content": [{"type": "media", "attrs": {"id": "x"}}]},
        ],
    }
    text = analyze(doc, "adf")
    assert text.plain.split("\n") == [
        "Why: agents ask @Ann 😄",
        "BLOCKED 2023-11-14",
        "Outcome",
        "Fewer tickets",
        "still read",
    ]
    assert text.sections == {
        "why": "agents ask @Ann 😄\nBLOCKED 2023-11-14",
        "outcome": "Fewer tickets\nstill read",
    }


def test_adf_as_json_string_and_broken_nodes() -> None:
    doc = {
        "type": "doc",
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "hi"}]}],
    }
    assert analyze(json.dumps(doc), "adf").plain == "hi"
    assert analyze("{not json", "adf").plain == "{not json"
    broken = {
        "type": "doc",
        "content": [
            None,
            3,
            "x",
            {"type": "text", "text": 5},
            {"type": "paragraph", "content": {"a": 1}},
            {"type": "mention", "attrs": "x"},
            {"type": "date", "attrs": {"timestamp": "soon"}},
            {"type": "heading", "content": [{"type": "text", "text": "ok"}]},
        ],
    }
    assert analyze(broken, "adf").plain == "ok"


def test_deeply_nested_and_cyclic_adf_do_not_crash() -> None:
    node: dict[str, Any] = {"type": "text", "text": "deep"}
    for _ in range(50_000):
        node = {"type": "listItem", "content": [node]}
    assert analyze(node, "adf").plain == "deep"
    cyclic: dict[str, Any] = {"type": "doc", "content": []}
    cyclic["content"].append(cyclic)
    cyclic["content"].append({"type": "paragraph", "content": [{"type": "text", "text": "x"}]})
    assert analyze(cyclic, "adf").plain == "x"


# --- Jira wiki markup ---------------------------------------------------------------------


def test_wiki_comment_with_account_mentions() -> None:
    body = load("jira/webhook_comment_created.json")["comment"]["body"]
    text = analyze(body, "wiki")
    assert text.plain == (
        "@619a4432ebce470067f20384 @63a22fb348b367d78a14c15b @63a22fb348b367d78a14c15b"
    )


def test_wiki_markup() -> None:
    wiki = "\n".join(
        [
            "h1. Why",
            "We need this because *users* are _struggling_. See [the docs|http://x] or [~jdoe].",
            "{quote}Customers complain -loudly-.{quote}",
            "{panel:title=Outcome|borderStyle=solid}",
            "Reduce churn below 3%",
            "{panel}",
            "{code:java}",
            "int *x* = a_b_c; // {panel}",
            "{code}",
            "||Head||Other||",
            "|cell [a|http://b]|{{mono}}|",
            "* bullet",
            "## nested number",
            "*Success metrics:* p95 under 200 ms",
            "{color:red}red text{color} and {noformat}raw *x*{noformat}",
            "----",
            "!screenshot.png|thumbnail! done \\\\ next line",
        ]
    )
    text = analyze(wiki, "wiki")
    assert text.plain.split("\n") == [
        "Why",
        "We need this because users are struggling. See the docs or @jdoe.",
        "Customers complain loudly.",
        "Outcome",
        "Reduce churn below 3%",
        "Head | Other",
        "cell a | mono",
        "bullet",
        "nested number",
        "Success metrics: p95 under 200 ms",
        "red text and",
        "done",
        "next line",
    ]
    assert text.sections["why"].startswith("We need this because users")
    assert text.sections["success metrics"].startswith("p95 under 200 ms")
    assert "Reduce churn below 3%" in text.sections["outcome"]


# --- Markdown -----------------------------------------------------------------------------

ISSUE_FORM = """### Is your feature request related to a problem? Please describe.

_No response_

### Why is this needed?

Admins re-create the same filters every morning.

### Success metrics

<!-- How will we know it worked? -->

### Anything else?

- [ ] docs
- [x] tests
"""


def test_github_issue_form() -> None:
    text = analyze(ISSUE_FORM, "markdown")
    assert text.sections == {
        "is your feature request related to a problem? please describe": "",
        "why is this needed": "Admins re-create the same filters every morning.",
        "success metrics": "",
        "anything else": "[ ] docs\n[x] tests",
    }
    assert "<!--" not in text.plain


def test_markdown_inline_and_blocks() -> None:
    md = "\n".join(
        [
            "Title line",
            "==========",
            "**Why**: because [links](http://x) and `code` and *emph* and __strong__ ~~old~~",
            "> quoted <br> text &amp; more",
            "1. first",
            "   * nested",
            "",
            "| a | b |",
            "|---|:-:|",
            "| c | d |",
            "```python",
            "# not a heading",
            "x = **y**",
            "```",
            "![alt text](img.png) \\*literal\\*",
            "***",
            "Setext two",
            "----------",
            "tail",
            "## Closing ##",
        ]
    )
    text = analyze(md, "markdown")
    assert text.plain.split("\n") == [
        "Title line",
        "Why: because links and code and emph and strong old",
        "quoted   text & more",
        "first",
        "nested",
        "a | b",
        "c | d",
        "alt text *literal*",
        "Setext two",
        "tail",
        "Closing",
    ]
    assert text.sections["why"].startswith("because links")
    assert text.sections["setext two"] == "tail"
    assert text.sections["closing"] == ""


@pytest.mark.parametrize(
    "name",
    [
        "rest_list_repo_issues.trimmed.json",
        "rest_list_repo_issues_type_bug_2025.json",
        "webhook_issues_opened.json",
    ],
)
def test_github_bodies_from_fixtures(name: str) -> None:
    data = load(f"github/{name}")
    issues = data if isinstance(data, list) else [data["issue"]]
    for issue in issues:
        body = issue.get("body")
        text = analyze(body, "markdown")
        if body:
            first_word = body.split()[0].strip("#`*")
            assert first_word in text.plain
        else:
            assert text == Text()


def test_github_bug_report_sections() -> None:
    issues = load("github/rest_list_repo_issues_type_bug_2025.json")
    text = analyze(issues[0]["body"], "markdown")
    assert text.sections["summary"].startswith("search_issues().totalCount incorrectly returns 0")
    # the expected behaviour is shown as code: a section of its own, no prose in it
    assert "expected behavior" in text.sections
    assert "issues = gh.search_issues(" not in text.plain
    assert "root cause analysis" in text.sections


def test_plain_text_label_lines_become_sections() -> None:
    text = analyze("Add export.\nWhy: finance needs it.\nNote: see wiki\nOutcome: TBD", "plain")
    assert text.sections == {"why": "finance needs it.", "note": "see wiki", "outcome": ""}
    # an incidental "Label:" line does not cut the section it sits in
    text = analyze("Why: finance needs it.\nExample: the March close.", "plain")
    assert text.sections == {"why": "finance needs it.\nExample: the March close."}


# --- placeholders -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "_No response_",
        "No response",
        "N/A",
        "n/a",
        "TBD",
        "tbd.",
        "-",
        "—",
        "...",
        "<!-- Describe why -->",
        "[describe the value]",
        "<benefit>",
        "{benefit}",
        "As a <role> I want <goal> so that <benefit>",
        "As a [type of user], I want [an action] so that [a benefit].",
        "- TBD\n- N/A",
        None,
        42,
    ],
)
def test_placeholders(value: Any) -> None:
    assert is_placeholder(value)
    assert meaningful(value) == ""


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("Finance closes books by hand.", "Finance closes books by hand."),
        ("TBD\nAgents lose 2 h a day.", "Agents lose 2 h a day."),
        ("[x] done", "[x] done"),
        ("As a shopper I want <goal> so that <benefit>", "As a shopper I want   so that"),
        ("p95 < 200 ms", "p95 < 200 ms"),
    ],
)
def test_meaningful_keeps_real_text(value: str, kept: str) -> None:
    assert meaningful(value) == kept
    assert not is_placeholder(value)


# --- robustness ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["type", "content", "text", "attrs", "marks", "title", "timestamp"])
            | st.text(max_size=5),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)
attrs = st.none() | st.dictionaries(
    st.sampled_from(["text", "id", "url", "timestamp", "title", "shortName", "level"]),
    st.none() | st.text(max_size=10) | st.integers(),
    max_size=3,
)
adf_nodes = st.recursive(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["text", "hardBreak", "mention", "date", "emoji", "status"]),
            "text": st.text(max_size=20) | st.integers(),
            "attrs": attrs,
            "marks": st.lists(st.fixed_dictionaries({"type": st.sampled_from(["strong", "em"])})),
        }
    ),
    lambda children: st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                [
                    "doc",
                    "paragraph",
                    "heading",
                    "bulletList",
                    "listItem",
                    "table",
                    "panel",
                    "expand",
                    "codeBlock",
                    "unknownThing",
                ]
            ),
            "content": st.lists(children, max_size=4),
            "attrs": attrs,
        }
    ),
    max_leaves=20,
)
TOKENS = [*"ab :*_#-|[]{}()<>!`~^+?\\\n\t1.%", "h1. ", "{code}", "{panel:title=Why}", "**", "```"]
TOKENS += ["<!--", "-->", "_No response_", "Why:", "<role>", "||", "[~accountid:x]", "### "]
markupish = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)
formats = st.sampled_from(["adf", "wiki", "markdown", "plain", "html", ""])


def check(text: Text) -> None:
    assert isinstance(text, Text)
    assert isinstance(text.plain, str)
    assert all(isinstance(k, str) and k and isinstance(v, str) for k, v in text.sections.items())


@settings(max_examples=300, deadline=None)
@given(st.one_of(json_values, adf_nodes, st.text(), markupish), formats)
def test_analyze_never_raises(description: Any, fmt: str) -> None:
    check(analyze(description, fmt))


@settings(max_examples=200, deadline=None)
@given(markupish)
def test_markup_never_raises_and_sections_are_clean(source: str) -> None:
    for fmt in ("wiki", "markdown", "plain"):
        text = analyze(source, fmt)
        check(text)
        for content in text.sections.values():
            assert content == "" or not is_placeholder(content)


def test_pathological_inputs_stay_fast_enough_to_finish() -> None:
    # Unclosed markers everywhere: bounded spans keep these linear (no timing assertion here;
    # a quadratic scan of these sizes would not finish within the suite's time).
    for source in [
        "*" * 200_000,
        "_a" * 100_000,
        "<!--" * 50_000,
        "{code}" + "x" * 200_000,
        "# " + "#" * 100_000 + "a",
        "-" * 100_000 + "a",
        "[" * 100_000,
    ]:
        for fmt in ("wiki", "markdown", "plain"):
            check(analyze(source, fmt))
    assert is_placeholder("!" * 100_000 + "a") is False
