"""missing-why on real-world phrasings, templates, and every description format."""

from __future__ import annotations

from typing import Any

import pytest

from rules.builtin.missing_why import missing_why
from rules.engine import Problem
from rules.examples import example_item

PASSES = [
    # the seed example from the product brief
    "We need a prominent button because users are struggling to find the checkout page, "
    "and we want to increase sales",
    "As a returning shopper I want my cart saved so that I can finish on my phone.",
    "As an admin, I want to bulk-invite users, so I can onboard a 200-person team in one go.",
    "Add CSV export so finance can reconcile invoices without asking engineering.",
    "Cache the catalogue in order to keep the storefront up when the ERP is down.",
    "Customers complain that they cannot find their past invoices.",
    "Users keep asking support how to reset their 2FA device.",
    "Support gets about 40 tickets a week about failed password resets.",
    "This will let account managers see renewals before they lapse.",
    "Merge the two settings pages; this helps admins find notification options.",
    "Add retries to the webhook sender to reduce dropped events for large merchants.",
    "The goal is to let new users publish their first page in under five minutes.",
    "Currently agents have to copy order numbers by hand into the refund form.",
    "Shoppers abandon the checkout when the shipping cost appears only at the end.",
    "Because the legacy PDF library is unmaintained, we are exposed to CVEs.",
    "Drop the IE11 polyfills: they add 80 kB, which leads to slow first loads on mobile.",
    "Teams are frustrated by the number of duplicate notifications.",
    "Marketing wants to increase newsletter sign-ups from the blog.",
    "It would save the ops team an hour every release.",
]

FAILS = [
    "Add a blue button.",
    "Implement epic browser",
    "Refactor the login page.",
    "Create an API endpoint for orders. Return JSON.",
    "Dark mode",
    "Upgrade Django to version 5.",
    "Users can export CSV from the reports page.",
    "As a <role> I want <goal> so that <benefit>",
    "As a [type of user], I want [some goal] so that [some reason].",
    "As a {persona} I want {capability} so that {benefit}",
    "As a user I want a search bar so that TBD",
    "Button should be green and 40px tall; see figma.",
    "Rename the 'Save' button to 'Apply'. Step 3 of the redesign.",
    "Move the settings icon to the top bar",
    "Add pagination to the orders table (50 per page).",
]


@pytest.mark.parametrize("description", PASSES)
def test_reasons_pass(description: str) -> None:
    item = example_item(title="Item", description=description)
    assert not isinstance(missing_why(item, {}), Problem)


@pytest.mark.parametrize("description", FAILS)
def test_no_reason_fails(description: str) -> None:
    problem = missing_why(example_item(title="Item", description=description), {})
    assert isinstance(problem, Problem)
    assert "Why" in problem.hint and "so that" in problem.hint


def test_reason_in_title_is_enough() -> None:
    item = example_item(title="Export invoices so finance can close the month faster")
    assert not isinstance(missing_why(item, {}), Problem)


def test_unchanged_template_gets_its_own_message() -> None:
    problem = missing_why(
        example_item(description="As a <role> I want <goal> so that <benefit>"), {}
    )
    assert isinstance(problem, Problem)
    assert "template" in problem.message


@pytest.mark.parametrize(
    "heading",
    [
        "Why",
        "Motivation",
        "Problem",
        "Rationale",
        "User value",
        "Business value",
        "Goal",
        "Background",
        "Context",
        "Why does this matter?",
    ],
)
def test_why_sections_with_content_pass(heading: str) -> None:
    body = f"## {heading}\n\nFinance closes the books by hand each month.\n\n## Details\n\nCSV."
    item = example_item(description=body, description_format="markdown")
    assert not isinstance(missing_why(item, {}), Problem)


@pytest.mark.parametrize(
    "content", ["_No response_", "TBD", "N/A", "-", "<!-- why? -->", "[describe the value]"]
)
def test_why_section_with_placeholder_fails(content: str) -> None:
    body = f"## Why\n\n{content}\n\n## Details\n\nA CSV export of invoices."
    problem = missing_why(example_item(description=body, description_format="markdown"), {})
    assert isinstance(problem, Problem)
    assert problem.message == "The 'why' section is empty or still holds template text."


def test_github_issue_form_with_no_response_fails_and_filled_form_passes() -> None:
    form = (
        "### Is your feature request related to a problem?\n\n_No response_\n\n"
        "### Describe the solution you'd like\n\nA CSV export button on the invoices page.\n\n"
        "### Additional context\n\n_No response_\n"
    )
    assert missing_why(example_item(description=form, description_format="markdown"), {})
    filled = form.replace(
        "_No response_", "Finance re-types 300 invoices a month into the ledger.", 1
    )
    assert not isinstance(
        missing_why(example_item(description=filled, description_format="markdown"), {}), Problem
    )


def test_bold_label_line_counts_as_section() -> None:
    body = "**Why**: finance re-types every invoice into the ledger.\n\n**Scope**: CSV only."
    assert not isinstance(
        missing_why(example_item(description=body, description_format="markdown"), {}), Problem
    )
    body = "*Why:* finance re-types every invoice into the ledger."
    assert not isinstance(
        missing_why(example_item(description=body, description_format="wiki"), {}), Problem
    )


def test_adf_description() -> None:
    adf: dict[str, Any] = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "heading",
                "attrs": {"level": 2},
                "content": [{"type": "text", "text": "Why"}],
            },
            {
                "type": "paragraph",
                "content": [{"type": "text", "text": "Agents copy data by hand."}],
            },
        ],
    }
    assert not isinstance(
        missing_why(example_item(description=adf, description_format="adf"), {}), Problem
    )
    adf["content"][1]["content"][0]["text"] = "TBD"
    assert isinstance(
        missing_why(example_item(description=adf, description_format="adf"), {}), Problem
    )


def test_wiki_description() -> None:
    wiki = "h2. Motivation\n{quote}Customers complain about *slow* exports.{quote}"
    assert not isinstance(
        missing_why(example_item(description=wiki, description_format="wiki"), {}), Problem
    )
    wiki = "h2. Motivation\n\nh2. Details\n* CSV\n* XLSX"
    assert isinstance(
        missing_why(example_item(description=wiki, description_format="wiki"), {}), Problem
    )
