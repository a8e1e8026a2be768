"""missing-outcome on real-world targets, look-alike numbers, sections and formats."""

from __future__ import annotations

import pytest

from rules.builtin.missing_outcome import missing_outcome
from rules.engine import Problem
from rules.examples import example_item

PASSES = [
    "Raise checkout conversion from 2.1% to 2.5%.",
    "Cut support tickets by 30%.",
    "Search p95 under 200 ms.",
    "Reduce churn below 3% for annual plans.",
    "Increase weekly active users by 10% by the end of Q3.",
    "We expect to halve onboarding time, from 20 min to 10 min.",
    "Goal: grow trial-to-paid conversion to 12%.",
    "Keep the error rate under 0.5% during the migration.",
    "Bring average handling time down to 4 minutes.",
    "Lower page load time to 1.5 s on 3G.",
    "Success looks like a 15% increase in repeat purchases.",
    "NPS of 40 or higher among admins (today: 28).",
    "Checkout latency < 300ms at p99.",
    "Reach 10k monthly active users in the EU.",
    "Decrease refund processing time from 5 days to 1 day.",
    "Improve activation rate by 5 percentage points.",
    "Ship v2 by 2025-03-01 with 3 new screens (see #12); then cut p95 latency by 40%.",
]

FAILS = [
    "Add a blue button.",
    "Upgrade to version 2.",
    "Step 3 of the migration plan.",
    "Ship by 2025-03-01, see #1234 and PAY-12.",
    "Improve onboarding by 2025-06-30.",
    "Add a dropdown with more than 5 options.",
    "Increase the upload limit to 50 MB.",
    "Improve the search experience.",
    "Reduce technical debt in the billing module.",
    "Users should see 3 recommendations per row.",
    "Upgrade Postgres from 13 to 16.",
    "Make checkout faster.",
    "Release 2.4.1 fixes the login issue.",
    "Support for Python 3.12",
    "Fix the 500 error on /orders?page=2",
    "Upgrade from 13 to 16 under 2 weekends; by 2026 at 10:30 add 3 hours of training.",
    "Improve onboarding within 2 weeks.",
    "Ship the improvements in 3 days, then cut a release every 2 weeks.",
    "Keep 2 backups for 30 days.",
]


@pytest.mark.parametrize("description", PASSES)
def test_measurable_targets_pass(description: str) -> None:
    assert not isinstance(
        missing_outcome(example_item(title="Item", description=description), {}), Problem
    )


@pytest.mark.parametrize("description", FAILS)
def test_no_target_fails(description: str) -> None:
    problem = missing_outcome(example_item(title="Item", description=description), {})
    assert isinstance(problem, Problem)
    assert "Outcome" in problem.hint and "%" in problem.hint


def test_outcome_field_counts_unless_placeholder() -> None:
    assert not isinstance(
        missing_outcome(example_item(outcome="Cut refund tickets by 30%"), {}), Problem
    )
    assert isinstance(missing_outcome(example_item(outcome="TBD"), {}), Problem)
    assert isinstance(missing_outcome(example_item(outcome=""), {}), Problem)


@pytest.mark.parametrize(
    "heading",
    [
        "Outcome",
        "Success metrics",
        "Success criteria",
        "KPI",
        "Expected impact",
        "Measures of success",
        "Metrics",
        "How will we measure success?",
    ],
)
def test_outcome_sections_with_content_pass(heading: str) -> None:
    body = f"## {heading}\n\nFewer abandoned carts, tracked on the funnel dashboard.\n"
    assert not isinstance(
        missing_outcome(example_item(description=body, description_format="markdown"), {}), Problem
    )


@pytest.mark.parametrize("content", ["_No response_", "TBD", "N/A", "<!-- metric -->", "[metric]"])
def test_outcome_section_with_placeholder_fails(content: str) -> None:
    body = f"## Outcome\n\n{content}\n\n## Notes\n\nNothing else."
    problem = missing_outcome(example_item(description=body, description_format="markdown"), {})
    assert isinstance(problem, Problem)
    assert problem.message == "The 'outcome' section is empty or still holds template text."


def test_acceptance_criteria_alone_do_not_count() -> None:
    body = (
        "## Acceptance criteria\n\n- [ ] cart survives logout\n- [ ] up to 50 items\n"
        "- [x] works on mobile\n"
    )
    problem = missing_outcome(example_item(description=body, description_format="markdown"), {})
    assert isinstance(problem, Problem)
    assert "acceptance criteria" in problem.message


def test_github_issue_form_with_no_response() -> None:
    form = "### Problem\n\nSlow search.\n\n### Success metrics\n\n_No response_\n"
    assert missing_outcome(example_item(description=form, description_format="markdown"), {})
    filled = form.replace("_No response_", "p95 search latency under 300 ms")
    assert not isinstance(
        missing_outcome(example_item(description=filled, description_format="markdown"), {}),
        Problem,
    )


def test_adf_panel_and_wiki_panel_titles_act_as_sections() -> None:
    adf = {
        "type": "doc",
        "content": [
            {
                "type": "panel",
                "attrs": {"panelType": "success", "title": "Success metric"},
                "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": "Fewer refunds"}]}
                ],
            }
        ],
    }
    assert not isinstance(
        missing_outcome(example_item(description=adf, description_format="adf"), {}), Problem
    )
    wiki = "{panel:title=Expected impact}\nSupport tickets drop by a third\n{panel}"
    assert not isinstance(
        missing_outcome(example_item(description=wiki, description_format="wiki"), {}), Problem
    )
    wiki = "h3. Expected impact\n\nh3. Notes\nnone yet"
    assert isinstance(
        missing_outcome(example_item(description=wiki, description_format="wiki"), {}), Problem
    )
