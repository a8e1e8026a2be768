"""The rules engine over arbitrary items, and the slash-command parser over arbitrary text."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.slack.commands import MAX_READY, SUBCOMMANDS, _count, parse
from connectors.item import KINDS, STATUS_CATEGORIES, Item, Link, Person
from connectors.text import analyze
from rules.engine import SEVERITIES, Engine
from tests.fuzz.strategies import HEAVY, MANY, adf_trees, json_values, markup_text

FORMATS = ("adf", "wiki", "markdown", "plain")
ENGINE = Engine()
ALL_SCOPES = Engine(
    {rule: {"status_categories": list(STATUS_CATEGORIES)} for rule in ENGINE.rule_ids}
)
short = st.text(max_size=20)
people = st.none() | st.builds(Person, id=short, name=short, email=st.none() | short)
numbers = (
    st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 100).map(float)
)


@st.composite
def items(draw: st.DrawFn) -> Item:
    fmt = draw(st.sampled_from(FORMATS))
    description = draw(st.none() | markup_text | adf_trees | json_values)
    # Connectors fill text and sections from the description; arbitrary ones test the rules too.
    if draw(st.booleans()):
        text = analyze(description, fmt)
        plain, sections = text.plain, text.sections
    else:
        plain = draw(markup_text)
        sections = draw(st.dictionaries(short, markup_text, max_size=4))
    return Item(
        source=draw(st.sampled_from(["jira", "github", "file"])),
        key=draw(short),
        title=draw(markup_text),
        project=draw(short),
        type=draw(short | st.sampled_from(["Story", "Bug", "Epic", "Sub-task"])),
        kind=draw(st.sampled_from(KINDS)),
        status=draw(short),
        status_category=draw(st.sampled_from(STATUS_CATEGORIES)),
        description=description,
        description_format=fmt,  # type: ignore[arg-type]
        text=plain,
        sections=sections,
        estimate=draw(numbers),
        time_estimate=draw(numbers),
        outcome=draw(st.none() | markup_text),
        labels=tuple(draw(st.lists(short, max_size=4))),
        assignee=draw(people),
        reporter=draw(people),
        links=tuple(draw(st.lists(st.builds(Link, type=short, target=short), max_size=3))),
        raw=draw(st.dictionaries(short, json_values, max_size=3)),
    )


@HEAVY
@given(item=items())
def test_engine_on_any_item(item: Item) -> None:
    for engine in (ENGINE, ALL_SCOPES):
        for finding in engine.evaluate(item):
            assert finding.rule in engine.rule_ids
            assert finding.severity in SEVERITIES
            assert finding.message.strip() and isinstance(finding.hint, str)
        assert isinstance(engine.in_scope(item), bool)


@HEAVY
@given(item=items())
def test_item_round_trips_through_its_json(item: Item) -> None:
    data: dict[str, Any] = item.to_dict()
    assert Item.from_dict(data).to_dict() == data


@MANY
@given(text=st.text(max_size=80) | st.sampled_from(SUBCOMMANDS).map(lambda s: s + " x"))
def test_slash_parser_always_names_a_subcommand(text: str) -> None:
    parsed = parse(text)
    assert parsed.name in SUBCOMMANDS
    if parsed.name != "help" or text.split()[:1] == ["help"]:
        assert not parsed.unknown
    if parsed.suggestion:
        assert parsed.suggestion in SUBCOMMANDS and parsed.name == "help"
    assert 1 <= _count(parsed.args) <= MAX_READY


@MANY
@given(
    word=st.sampled_from(SUBCOMMANDS),
    case=st.sampled_from([str.lower, str.upper, str.title]),
    pad=st.text(alphabet=" \t\n", max_size=3),
    rest=st.text(max_size=40),
)
def test_slash_parser_finds_known_words(word: str, case: Any, pad: str, rest: str) -> None:
    parsed = parse(f"{pad}{case(word)} {rest}")
    assert parsed.name == word
    assert parsed.rest == rest.strip()
