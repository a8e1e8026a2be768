"""Why and outcome judged per sentence: real-world phrasings (written for these tests), the
verdict and the quoted evidence for each."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.item import Item
from rules.bugs import BUG_PARAMS
from rules.builtin.missing_outcome import missing_outcome
from rules.builtin.missing_why import missing_why
from rules.engine import Engine, Passed, Problem
from rules.examples import example_item
from rules.judgment import content_words, restates

PARAMS: dict[str, Any] = dict(BUG_PARAMS)


def why(description: str, title: str = "Item", **overrides: Any) -> Problem | Passed | None:
    item = example_item(title=title, description=description, **overrides)
    return missing_why(item, PARAMS)


def outcome(description: str, title: str = "Item", **overrides: Any) -> Problem | Passed | None:
    return missing_outcome(example_item(title=title, description=description, **overrides), PARAMS)


def assert_quoted(result: Problem | Passed | None, item_text: str, *words: str) -> None:
    """Passed, with evidence that is a verbatim span of the text and holds `words`."""
    assert isinstance(result, Passed), result
    assert result.evidence and result.evidence in item_text, result
    for word in words:
        assert word in result.evidence, (word, result.evidence)


# --- the seed example --------------------------------------------------------------------


def test_seed_example_with_a_reason_passes_and_quotes_it() -> None:
    text = (
        "We need a prominent button because users are struggling to find the checkout page,"
        " and we want to increase sales"
    )
    assert_quoted(why(text, title="Checkout button"), text, "because")


def test_seed_example_without_a_reason_fails() -> None:
    result = why("Add a blue button", title="Add a blue button")
    assert isinstance(result, Problem)
    assert result.evidence is None


# --- reasons stated without "because" ----------------------------------------------------

REASONS = [
    # a problem or a cost, stated as such
    ("Exporting the ledger by hand takes the finance team a full day each month.", "by hand"),
    ("The retry loop puts a lot of stress on the primary database.", "stress on"),
    (
        "Logs are split across three hosts, which makes tracing a request quite difficult.",
        "difficult",
    ),
    ("The settings page is far too slow on older phones.", "too slow"),
    ("Reviewers get confused when two badges look the same.", "confused"),
    ("Right now every new tenant has to be created manually.", "manually"),
    # a benefit as an evaluation or a purpose
    ("A per-team view could be useful for managers trying to plan the quarter.", "useful for"),
    ("Split the module to support our reporting work next quarter.", "to support our"),
    ("Move the cache to a separate volume to reduce disk pressure on the app hosts.", "to reduce"),
    ("This will let support agents answer refund questions without escalating.", "will let"),
    # causal words
    ("Since the audit log keeps 30 days only, older evidence is lost.", "Since the"),
    ("Both services read the flag at start. Therefore a restart is needed today.", "Therefore"),
    ("Write the rotation steps down so it is not lost next time.", "so it is not"),
    # demand and context
    ("Several customers asked for a CSV export of their invoices.", "customers asked"),
    ("I'm teaching a workshop and need to create forty accounts at once.", "teaching"),
    # mild complaints, quoted words and enumerated chores
    ("The light theme is a bit bright after sunset.", "a bit bright"),
    ("There is no 'officially supported' way to pin a plugin version.", "way to"),
    ("To see new rows, an operator must either (a) restart the worker or (b) wait.", "must"),
    ("The console prints the admin password read from secrets.env in plain text.", "plain text"),
    # a reason to remove or replace
    ("The legacy sync adapter has not gained much traction since 2019.", "traction"),
    ("The per-region flags are no longer needed now that routing is global.", "no longer"),
    # a benefit or a purpose in other words
    ("Native dates make sorting by them so easy.", "make sorting"),
    (
        "Let planners tweak the burn-up chart to try scenarios and better plan the release.",
        "better",
    ),
    # what the status quo does, with no reason word at all
    ("Pickers lose their scan history whenever the handheld reboots.", "lose"),
    ("The fan alarm keeps waking the on-call engineer for nothing.", "keeps waking"),
    ("Merge requests wait about 3 hours for a free runner on Mondays.", "wait"),
    ("Last week a runaway import took the reporting cluster down for an afternoon.", "down"),
    ("Each failed refund turns into a support ticket within the hour.", "turns into"),
    ("Receipts printed on the kiosk come out blurry on thermal paper.", "blurry"),
    ("A stolen session cookie would expose every customer's invoices.", "would expose"),
    ("The two sync jobs fight over the same lock file at midnight.", "fight over"),
    ("Store-front dates slip whenever translations arrive late.", "dates slip"),
    ("Slow quotes are the main reason buyers leave before checkout.", "main reason"),
    ("Stock alerts go unnoticed over the weekend.", "go unnoticed"),
    ("Expose the nested types, which we need when building the plugin loader.", "which we"),
    ("As an editor I want to brief the board on style to ensure it shapes our guides.", "ensure"),
]


@pytest.mark.parametrize(("text", "cue"), REASONS)
def test_reasons_without_because_pass_with_the_sentence_quoted(text: str, cue: str) -> None:
    assert_quoted(why(text), text, cue)


def test_a_why_section_quotes_its_first_line() -> None:
    body = "## Motivation\n\nOn-call engineers restart the importer twice a week.\n\n## Notes\nnone"
    result = why(body, description_format="markdown")
    assert isinstance(result, Passed)
    assert result.evidence == "On-call engineers restart the importer twice a week."


# --- cues that are not reasons -----------------------------------------------------------

RESTATING = [
    ("As an editor I want to archive a post so that the post is archived.", "Archive posts"),
    ("As an admin I want to delete a user account so that the account is removed.", "Delete users"),
    ("As a member I want to search the catalogue so that I can find a book.", "Catalogue search"),
    ("As a teacher I want a list of my classes so that I can see my classes.", "Class list"),
    ("As a host I want to notify guests at once so that they are notified of changes.", "Notify"),
    ("Add an export button which allows users to export their reports.", "Export reports"),
    # the benefit's first act is the act asked for, said again with more words
    (
        "As a curator I want to share a playlist link on chat apps so that I can share the"
        " songs I picked with friends.",
        "Share playlists",
    ),
    (
        "As a coach I want to alert players of a cancelled match so that they can be alerted"
        " about rain delays and schedule changes.",
        "Match alerts",
    ),
    # the thing acted on, in the state the act leaves it in
    (
        "As an editor I want to set embargo dates on press releases so that releases are"
        " embargoed until the launch day.",
        "Embargo dates",
    ),
    # what a removal does, said again
    (
        "As a host I want to revoke a guest pass so that the guest no longer gets into the"
        " venue through the side entrance.",
        "Guest passes",
    ),
    (
        "As an admin I want to deactivate stale accounts so that those people can no longer"
        " sign in to the portal.",
        "Deactivate accounts",
    ),
    # hyphenated words count as their parts
    (
        "Check sums for archives of up to 2 TB. This is to make sure that 2 TB archives can"
        " pass a check-sum run.",
        "Check sum support for large archives",
    ),
]


@pytest.mark.parametrize(("text", "title"), RESTATING)
def test_a_purpose_that_restates_the_want_is_not_a_reason(text: str, title: str) -> None:
    result = why(text, title=title)
    assert isinstance(result, Problem), result
    assert result.evidence and result.evidence in text  # the clause is quoted back
    assert "restates" in result.message


GAINS = [
    "As a shopper I want my cart kept so that I can finish the order on my phone later.",
    "As an analyst I want the export as CSV so that I don't have to retype figures in Excel.",
    "As a reviewer I want a diff view so that I can approve changes more quickly.",
    # a use beyond the feature: the data goes on to other tools
    "As an analyst I want to download the data used in a chart so that I can use the data in"
    " other tools.",
    # seeing or knowing something new is not the act again
    "As a sponsor I want to show our badge on the event page so that customers see that we back"
    " open source.",
    # a gain in quality
    "As an author I want to lint my manifest before I upload it so that I upload valid files.",
    # wiring words with a gain, or a person who gains
    "Split the cache per tenant so that it will use less memory on small hosts.",
    "Move the importer to the admin app so that support staff can use it without a developer.",
    # "no longer have to": a cost removed, even after a removal
    "As a user I want to delete old drafts so that I no longer have to scroll past them.",
]


@pytest.mark.parametrize("text", GAINS)
def test_a_purpose_with_a_gain_of_its_own_is_a_reason(text: str) -> None:
    assert_quoted(why(text, title=text), text, "so that")


def test_restatement_compares_content_words_with_synonyms_folded() -> None:
    assert content_words("deleting the reports") == content_words("remove a report")
    assert restates("i want to delete a report", "i can remove the report")
    assert not restates("i want to delete a report", "the audit team stops chasing me")


NOT_REASONS = [
    # the "because" is text the feature shows
    ('Show a banner saying "Saving failed because the server is busy" after a failed save.'),
    # the "because" explains the design as it is
    ("The poller was added because webhooks did not exist yet. Replace it with webhooks."),
    # a background section that only says how things are today
    ("## Background\n\nThe export runs nightly and writes one CSV file per tenant.\n"),
    # "it would be nice to have" gives no purpose
    ("It would be nice to have a dark theme."),
    # code never counts
    ("Add the flag.\n\n```\n# because the old parser is slow\n```\n"),
    # a so-that that only says how the code is to be wired
    ("Refactor the loader so that it will use the new plugin registry."),
    ("Update the adapter config so that the billing service can then call the v2 endpoint."),
    ("Annotate the handlers so that the routes can be generated at build time."),
    # "Show a warning" is the feature, not a symptom
    ("Show a warning icon when the form has unsaved edits."),
    # a story's own want, "I want to prevent ...", then a so-that that restates it
    ("As a clerk I want to prevent double booking of rooms so that there are no double bookings."),
    # harm words that name the feature or a setting, not a cost of today
    ("Add a reminder email for abandoned carts after two hours."),
    ("Let admins set how many days an invite link stays valid: 7 by default."),
    ("Show the lost-password link under the sign-in button."),
    # a synonym of the act asked for: holding an order stops it
    ("As an agent I want to put an order on hold so that I can stop it from shipping."),
]


@pytest.mark.parametrize("text", NOT_REASONS)
def test_words_that_look_like_a_reason_but_are_not(text: str) -> None:
    assert isinstance(why(text, description_format="markdown"), Problem)


def test_wiki_code_blocks_do_not_count() -> None:
    text = "Add the flag.\n{code}\n// because the old parser is slow\n{code}"
    assert isinstance(why(text, description_format="wiki"), Problem)


# --- templates left unchanged ------------------------------------------------------------

STOCK_FEATURE_TEMPLATE = """**Is your feature request related to a problem? Please describe.**
A clear and concise description of what the problem is. Ex. I'm always frustrated when [...]

**Describe the solution you'd like**
A clear and concise description of what you want to happen.

**Describe alternatives you've considered**
A clear and concise description of any alternative solutions or features you've considered.

**Additional context**
Add any other context or screenshots about the feature request here.
"""

PROMPTS_UNDER_MOTIVATION = """## Feature

A dark theme.

## Motivation

Please outline the motivation for the proposal.
If this is related to another issue, please link here too.
"""


@pytest.mark.parametrize(
    "body",
    [
        STOCK_FEATURE_TEMPLATE,
        PROMPTS_UNDER_MOTIVATION,
        "### Why is this needed?\n\n_No response_\n\n### Details\n\nA dark theme.",
        "As a <role> I want <goal> so that <benefit>",
        "## Value\n\n[describe the value for the customer]\n",
    ],
)
def test_unchanged_templates_count_as_empty(body: str) -> None:
    assert isinstance(why(body, title="Dark theme", description_format="markdown"), Problem)


def test_a_please_sentence_is_blanked_to_its_end_only() -> None:
    # "Please add ..." is how many people ask; the sentences after it are their own words
    text = "Please add a reload button to the list. Right now editors must reload the whole page."
    assert_quoted(why(text), text, "must reload")


def test_a_parenthesised_please_prompt_is_blanked_to_its_closing_parenthesis() -> None:
    body = (
        "## Motivation\n(Please outline the motivation. It helps to know what people build and"
        " could help others suggest workarounds.)\n"
    )
    assert isinstance(why(body, description_format="markdown"), Problem)


def test_a_filled_stock_template_passes_on_what_was_written() -> None:
    body = STOCK_FEATURE_TEMPLATE.replace(
        "A clear and concise description of what the problem is. Ex. I'm always frustrated when"
        " [...]",
        "Our night shift cannot read the white theme: it is far too bright in a dark room.",
    )
    result = why(body, title="Dark theme", description_format="markdown")
    assert_quoted(result, example_item(description=body, description_format="markdown").text)
    assert isinstance(result, Passed) and "too bright" in (result.evidence or "")


def test_the_template_pasted_as_the_title_is_not_a_reason() -> None:
    title = "Is your feature request related to a problem? Please describe."
    assert isinstance(
        why(STOCK_FEATURE_TEMPLATE, title=title, description_format="markdown"), Problem
    )


# --- readers: headings and labels that share a line --------------------------------------


def test_wiki_heading_on_the_same_line_as_its_content() -> None:
    text = "Some intro. h3. Problem Description The nightly import re-sends every invoice twice."
    item = example_item(description=text, description_format="wiki")
    assert item.sections.get("problem description", "").startswith("The nightly import")
    assert isinstance(missing_why(item, PARAMS), Passed)


def test_wiki_bold_label_on_the_same_line_as_other_text() -> None:
    text = "Swap the default shortcut. *Rationale:* it matches what the other editors use."
    item = example_item(description=text, description_format="wiki")
    assert item.sections["rationale"] == "it matches what the other editors use."
    result = missing_why(item, PARAMS)
    assert isinstance(result, Passed) and result.evidence is not None
    assert result.evidence in item.text


def test_plain_label_after_a_sentence_opens_a_section() -> None:
    text = "Swap the default shortcut. Rationale: it matches what the other editors use."
    item = example_item(description=text, description_format="wiki")
    assert item.sections["rationale"] == "it matches what the other editors use."


def test_markdown_four_backtick_fence_holding_a_three_backtick_fence() -> None:
    body = "## Outcome\n\nSearch p95 under 300 ms.\n\n````md\n```\n## Outcome\n```\n````\n"
    item = example_item(description=body, description_format="markdown")
    assert item.sections["outcome"] == "Search p95 under 300 ms."
    assert isinstance(missing_outcome(item, PARAMS), Passed)


def test_markdown_heading_inside_a_list_and_a_quote() -> None:
    body = "- first\n  ## Why\n  Admins rebuild the same filter every morning.\n"
    item = example_item(description=body, description_format="markdown")
    assert "why" in item.sections
    body = "> ### Why\n> Admins rebuild the same filter every morning.\n"
    item = example_item(description=body, description_format="markdown")
    assert item.sections["why"].startswith("Admins rebuild")


# --- bug reports are not stories ---------------------------------------------------------


def gh(title: str, body: str = "", labels: tuple[str, ...] = ()) -> Item:
    return example_item(
        source="github",
        title=title,
        description=body,
        description_format="markdown",
        labels=labels,
    )


BUG_FORM = """### Steps to reproduce

1. Open the editor
2. Press save

### Expected behavior

The file is saved.

### Actual behavior

Nothing happens.
"""


@pytest.mark.parametrize(
    "item",
    [
        gh("Crash on save", labels=("regression",)),
        gh("Crash on save", labels=("kind/bug", "ui")),
        gh("[Bug] crash on save"),
        gh("Bug: crash on save"),
        gh("Crash on save", BUG_FORM),
    ],
)
def test_bug_reports_are_not_asked_for_a_why_or_an_outcome(item: Item) -> None:
    for rule in (missing_why, missing_outcome):
        result = rule(item, PARAMS)
        assert isinstance(result, Passed), result
        assert result.evidence and (
            result.evidence in item.title
            or result.evidence in item.text
            or result.evidence in item.labels
        )


def test_bug_detection_is_configurable() -> None:
    item = gh("Crash on save", BUG_FORM, labels=("bug",))
    params = {"bug_labels": [], "bug_forms": False}
    assert isinstance(missing_why(item, params), Problem)
    labelled = gh("Dark theme", labels=("papercut",))
    default = {f.rule for f in Engine().evaluate(labelled)}
    custom = {
        f.rule for f in Engine({"missing-why": {"bug_labels": ["papercut"]}}).evaluate(labelled)
    }
    assert "missing-why" in default and "missing-why" not in custom
    assert "missing-outcome" in custom  # each rule has its own setting


# --- outcome targets ---------------------------------------------------------------------

TARGETS = [
    # a label a few words before the amount, a direction said with down/up, a purpose
    "Target: mean time to restore of 20 minutes or less.",
    "Goal: refund complaints about double charges down by half, at least 40%.",
    "Get the nightly reconciliation under 15 minutes.",
    "Pick errors per shift down from 12 to 4.",
    "As a dispatcher I want routes pre-planned so that loading takes under 30 minutes.",
    "We expect a 3x speedup of the nightly import.",
    "Make the dashboard 2x faster.",
    "Verify that the 90th percentile stays under a second.",
    "Cut p95 latency to 180 ms.",
    "Bring the query time down to 18 sec/query.",
    "Reduce the build time by 5 minutes (about 25%).",
    "The goal is to reduce it to only 2-3 minutes.",
    "Memory use should drop by about 20MB after the change.",
    "Raise trial-to-paid conversion from 3.1% to 3.6% this quarter.",
]


@pytest.mark.parametrize("text", TARGETS)
def test_prose_targets_pass_with_the_sentence_quoted(text: str) -> None:
    assert_quoted(outcome(text), text)


NOT_TARGETS = [
    "Raise the minimum Xcode version from 7.0 to 7.3.",
    "Increase the upload limit to 50 MB.",
    "Set a timeout of 30 s.",
    "Free shipping for orders under 20 EUR.",
    "Currently it takes 23 seconds to load the page.",
    "Our API has a p99 latency of 200ms today.",
    "Serve it on port 8443.",
    "Improve the search.",
    "Goal: run the stock sync every 15 minutes.",
    "As a clerk I want to print labels so that I can ship 3 parcels.",
]


@pytest.mark.parametrize("text", NOT_TARGETS)
def test_versions_limits_and_baselines_are_not_targets(text: str) -> None:
    assert isinstance(outcome(text), Problem)


def test_an_amount_under_a_goal_heading_is_the_target_but_a_schedule_is_not() -> None:
    body = "## Goal\n\nCold exports of a year of orders below 90 s.\n\n## Notes\n\nNone."
    result = outcome(body, description_format="markdown")
    assert isinstance(result, Passed) and result.evidence, result
    assert "below 90 s" in result.evidence and result.evidence in body
    schedule = "## Goal\n\nRebuild the search index every 6 hours.\n"
    assert isinstance(outcome(schedule, description_format="markdown"), Problem)


# --- explain -----------------------------------------------------------------------------


def test_explain_gives_every_in_scope_verdict_with_verbatim_evidence() -> None:
    text = "Raise checkout conversion from 2.1% to 2.5%, because shoppers give up at step three."
    item = example_item(title="One-page checkout", description=text, estimate=3.0)
    verdicts = {v.rule: v for v in Engine().explain(item)}
    assert set(verdicts) == {"missing-why", "missing-outcome", "missing-estimate"}
    assert all(v.passed for v in verdicts.values())
    assert "because" in (verdicts["missing-why"].evidence or "")
    assert "2.1%" in (verdicts["missing-outcome"].evidence or "")
    for rule in ("missing-why", "missing-outcome"):
        assert (verdicts[rule].evidence or "") in item.text


def test_explain_says_why_nothing_counted() -> None:
    verdicts = Engine().explain(example_item(title="Add a blue button", description="Add it."))
    failed = {v.rule: v for v in verdicts if not v.passed}
    assert set(failed) == {"missing-why", "missing-outcome", "missing-estimate"}
    assert all(v.reason for v in failed.values())


def test_a_reader_failure_is_logged_with_the_item_key(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import connectors.text

    def broken(source: str) -> list[tuple[str, str, str]]:
        raise ValueError("reader broke")

    monkeypatch.setattr(connectors.text, "markdown_blocks", broken)
    with caplog.at_level("WARNING", logger="connectors.text"):
        text = connectors.text.analyze("## Why\nBecause.", "markdown", "acme/app#7")
    assert text.plain == "## Why\nBecause."  # the text is kept, not silently emptied
    assert any("acme/app#7" in r.getMessage() and r.exc_info for r in caplog.records)


# --- phrasings the probe set showed missing (sentences written for these tests) -----------

MORE_REASONS = [
    # a reason after the story's want, past a clause break
    (
        "As a courier I want the door code on the delivery note, because buzzing every flat"
        " wastes ten minutes a drop.",
        "because",
    ),
    ("As a planner I want overdue tasks shown in red, otherwise they get missed.", "otherwise"),
    (
        "As a buyer I want prices in my own currency, which would save me converting every line.",
        "would save",
    ),
    ("As a tutor I want reminders sent because half my students forget the session.", "because"),
    # failures and losses stated as what happens
    ("When the feed is large the page times out before anything renders.", "times out"),
    ("The sync job usually fails on Mondays while the partner API is down.", "usually fails"),
    ("Unknown keys are silently ignored, so typos go unnoticed.", "silently"),
    ("Half the trial users give up at the payment step.", "give up"),
    ("Older tablets run out of memory on the map screen.", "run out of"),
    ("The old uploader is unusable with a screen reader.", "unusable"),
    ("The same licence key was pasted into a public forum by accident.", "by accident"),
    ("Staff spend hours every week re-keying timesheets.", "spend hours"),
    ("Our storage bill doubled since January.", "bill doubled"),
    ("Keeping two date pickers in sync is holding back the redesign.", "holding back"),
    ("Hardly anyone opens the weekly digest.", "Hardly anyone"),
    # duties and risks
    (
        "The vendor contract means we are legally required to keep invoices for ten years.",
        "legally",
    ),
    ("Without it, we cannot sell to hospitals.", "Without it"),
    # gains and purposes in other words
    ("Pruning old snapshots would free up most of the disk.", "would free up"),
    ("Cache thumbnails at the edge to take load off the origin.", "take load off"),
    ("Lazy thumbnails make the gallery noticeably snappier.", "snappier"),
    ("This matters because auditors sample these records.", "matters"),
    # causal words with more subjects
    ("Keep the v1 endpoint, since every release still ships the old client.", "since every"),
    ("Put retries behind a flag, as most tenants are still on the old queue.", "as most"),
    ("Share the fixtures, so a schema change has to be made in one place only.", "has to"),
]


@pytest.mark.parametrize(("text", "cue"), MORE_REASONS)
def test_more_reason_phrasings_pass_with_the_sentence_quoted(text: str, cue: str) -> None:
    assert_quoted(why(text, title="Item"), text, cue)


MORE_NOT_REASONS = [
    # a problem word inside the story's own want
    "As a customer I want to see issues with my orders on one page.",
    # how it is done today, not what it is for
    "Today, in order to rename a tenant, support edits the config file.",
    # the problem is what the feature handles
    "Add a box where the caller can say what the problem is.",
    "Add a form to report problems with a booking.",
    # wiring in the present tense
    "Change the adapter so that it extends the base exporter.",
    # a wish, not a benefit
    "It would be nice to support TOML as well.",
    # a placeholder left in the text
    "Add a tag cloud. <explain why this matters>",
    # "as discussed" is not a cause
    "Move the banner to the footer, as discussed in the review.",
    # "others" and "account" add no gain of their own
    "As a curator I want to publish a reading list so that others can open the list.",
    "As a member I want to sign in with my library card so that I can log in to my account.",
]


@pytest.mark.parametrize("text", MORE_NOT_REASONS)
def test_more_words_that_look_like_a_reason_but_are_not(text: str) -> None:
    assert isinstance(why(text, title="Item"), Problem)


def test_sign_in_and_log_in_are_the_same_act() -> None:
    assert content_words("sign in with a card") == content_words("log in with a card")
    assert content_words("sign up today") != content_words("sign in today")


@pytest.mark.parametrize(
    "body",
    [
        "## Motivation\n\nWhat problem does this solve? Please explain.\n\n## Proposal\nAdd tags.",
        "**Why:**\n\n**What:** add tags to posts.",
    ],
)
def test_a_why_section_holding_only_prompts_or_the_next_label_is_empty(body: str) -> None:
    assert isinstance(why(body, title="Tags", description_format="markdown"), Problem)


def test_a_why_section_quotes_its_first_statement_after_a_question() -> None:
    body = "## Why\n\nWhy now? Renewals start in March and the old form breaks on Safari.\n"
    result = why(body, title="Renewal form", description_format="markdown")
    assert isinstance(result, Passed)
    assert result.evidence and "Renewals" in result.evidence


MORE_TARGETS = [
    "Right-sizing the cluster should save about €2,500 a month.",
    "The import is slow today. Target: under 90 seconds for a full sync.",
    "Getting it below 2 s would make the widget usable.",
]


@pytest.mark.parametrize("text", MORE_TARGETS)
def test_money_goal_labels_and_getting_below_are_targets(text: str) -> None:
    assert_quoted(outcome(text), text)


@pytest.mark.parametrize(
    "text",
    ["Raise the default page size from 25 to 50.", "Double the pool size from 10 to 20 workers."],
)
def test_defaults_and_sizes_are_settings_not_targets(text: str) -> None:
    assert isinstance(outcome(text), Problem)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # a problem noun naming a part of the feature
        ("Risk register", "Add a page that lists each project's risks in a risk register."),
        ("Error codes", "Document the error codes of the import API."),
        ("Frustration score", "Compute a frustration score from rage clicks."),
        # what the feature marks or permits
        ("Flag posts", "Let moderators flag a post as misleading."),
        ("Price override", "Give finance the ability to manually adjust an invoice total."),
        # an imperative "improve"/"make" is the want itself
        ("Search speed", "Improve the performance of the search page."),
        ("Pinned tabs", "Make it possible to pin tabs."),
    ],
)
def test_a_problem_or_benefit_word_that_names_the_feature_is_not_a_reason(
    title: str, text: str
) -> None:
    assert isinstance(why(text, title=title), Problem)


def test_an_adjective_before_a_feature_noun_still_states_a_problem() -> None:
    text = "Nobody hears of a format change until someone opens a broken dashboard."
    assert_quoted(why(text, title="Schema checks"), text, "broken")


def test_a_bracketed_wiki_placeholder_is_a_prompt_not_a_link() -> None:
    """In wiki markup "[describe the value]" is left as written (only URLs, anchors and
    attachments are links), so an unfilled template still counts as empty."""
    from connectors.text import analyze

    body = "h3. Value\n[Describe the value for the customer]\n\nh3. Scope\nNew export button."
    assert "[Describe the value for the customer]" in analyze(body, "wiki").plain
    linked = analyze("See [the spec|https://example.com/spec] and [https://example.com/a].", "wiki")
    assert linked.plain == "See the spec and https://example.com/a."
    assert isinstance(why(body, title="Export button", description_format="wiki"), Problem)
