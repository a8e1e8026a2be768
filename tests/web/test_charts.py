"""The SVG charts: well-formed, labelled, scaled, escaped, with a text alternative."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bot.pages import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))


def test_trend_draws_one_point_per_value_scaled_to_percent() -> None:
    chart = charts.trend("t", [0.0, 50.0, 100.0, 150.0], ["1 Nov", "8 Nov", "15 Nov", "now"])
    root = parse(chart)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "t-t t-d"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "Ready % over the last digests"
    dots = root.findall(f"{SVG}circle")
    assert len(dots) == 4
    ys = [float(dot.get("cy", "")) for dot in dots]
    assert ys[0] > ys[1] > ys[2] == ys[3]  # higher is better; 150% is clamped to 100%
    xs = [float(dot.get("cx", "")) for dot in dots]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert (
        chart.alt
        == "Ready % from oldest to newest: 1 Nov: 0%, 8 Nov: 50%, 15 Nov: 100%, now: 150%."
    )
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text == chart.alt
    assert "style=" not in str(chart.svg) and "<script" not in str(chart.svg)


def test_trend_of_one_point_and_of_none() -> None:
    one = parse(charts.trend("a", [42.0], ["now"]))
    assert len(one.findall(f"{SVG}circle")) == 1
    empty = charts.trend("b", [], [])
    assert empty.alt.startswith("No digests yet") and parse(empty).find(f"{SVG}circle") is None
    with pytest.raises(ValueError):
        charts.trend("c", [1.0], [])


def test_bars_scale_to_the_longest_and_escape_labels() -> None:
    chart = charts.bars("r", [("missing-why", 10), ("<b>&x", 5)])
    root = parse(chart)  # parses: the label is escaped
    widths = [float(rect.get("width", "")) for rect in root.findall(f"{SVG}rect")]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert "&lt;b&gt;&amp;x" in str(chart.svg)
    assert chart.alt == "missing-why: 10; <b>&x: 5."
    assert charts.bars("e", []).alt == "No findings."
