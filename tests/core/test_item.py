from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.item import Item, Link, Person


def full_item() -> Item:
    return Item(
        source="github",
        key="acme/app#7",
        title="Faster checkout",
        updated=datetime(2026, 1, 1, tzinfo=UTC),
        estimate=3,
        labels=("size: M",),
        links=(Link("is blocked by", "acme/app#3"),),
        assignee=Person("octocat", "octocat"),
        sections={"why": "users abandon carts"},
    )


def test_round_trip_through_normalized_json() -> None:
    item = full_item()
    assert Item.from_dict(item.to_dict()) == item


def test_a_well_formed_item_validates() -> None:
    full_item().validate()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", [None]),
        ("estimate", "3"),
        ("estimate", True),
        ("labels", (None,)),
        ("updated", "2026-01-01"),
        ("sections", {"why": 5}),
        ("assignee", Person(5, "x")),  # type: ignore[arg-type]
    ],
)
def test_wrongly_typed_fields_are_named(field: str, value: object) -> None:
    item = full_item()
    setattr(item, field, value)
    with pytest.raises(TypeError, match=field.rstrip("s") if field != "assignee" else "person"):
        item.validate()
