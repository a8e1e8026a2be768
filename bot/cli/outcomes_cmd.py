"""`refinery outcomes`: what shipped items aimed for, and whether their owners saw it move."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from bot.cli.common import ConfigOption, console, err, settings_or_exit
from bot.services.outcomes import ANSWERS, OutcomeSummary
from bot.store.outcomes import Answer, Review


class Format(StrEnum):
    table = "table"
    json = "json"


def outcomes(
    team: Annotated[str | None, typer.Option("--team", "-t", help="Only this team.")] = None,
    output: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    config: ConfigOption = None,
) -> None:
    """List done items that named an outcome target, their reviews and every answer given.

    Also shows, per team, how many outcomes were reviewed and moved, and the share of done
    items that named no outcome at all ("outputs").
    """
    from bot.context import AppContext
    from bot.services.outcomes import Outcomes
    from bot.services.teams import select_teams

    ctx = AppContext.build(settings_or_exit(config))
    try:
        try:
            chosen = select_teams(ctx.settings, team)
        except ValueError as exc:
            err.print(f"[red]{exc}[/red]", highlight=False)
            raise typer.Exit(2) from None
        service = Outcomes(ctx.store, ctx.engine, ctx.settings)
        report = []
        for config_team in chosen:
            rows = service.reviews(config_team.name)
            history = service.answers([row.id for row in rows])
            report.append((service.summary(config_team.name), rows, history))
    finally:
        ctx.close()
    if output == Format.json:
        document = {"teams": [_team_document(*entry) for entry in report]}
        console.print_json(json.dumps(document))
        return
    for summary, rows, history in report:
        _print_team(summary, rows, history)


def _team_document(
    summary: OutcomeSummary, rows: list[Review], history: dict[int, list[Answer]]
) -> dict[str, Any]:
    return {
        "team": summary.team,
        "reviewed": summary.reviewed,
        "moved": summary.moved,
        "did_not_move": summary.did_not_move,
        "cant_tell": summary.cant_tell,
        "waiting": summary.waiting,
        "done": summary.done,
        "outputs": summary.outputs,
        "reviews": [
            {
                "source": row.source,
                "key": row.key,
                "title": row.title,
                "url": row.url,
                "target": row.target,
                "status": row.status,
                "answer": row.answer,
                "asks": row.asks,
                "owner": row.owner,
                "done_at": row.done_at.isoformat(),
                "due_at": row.due_at.isoformat() if row.due_at else None,
                "answers": [
                    {
                        "answer": answer.answer,
                        "observed": answer.observed,
                        "note": answer.note,
                        "by": answer.actor,
                        "at": answer.answered_at.isoformat(),
                    }
                    for answer in history.get(row.id, [])
                ],
            }
            for row in rows
        ],
    }


def _print_team(
    summary: OutcomeSummary, rows: list[Review], history: dict[int, list[Answer]]
) -> None:
    console.print(f"[bold]{summary.team}[/bold]: {summary.line()}", highlight=False)
    if not rows:
        console.print("  No done item has named an outcome target yet.")
        return
    table = Table(show_lines=False)
    for column in ("item", "aimed for", "done", "status", "answers"):
        table.add_column(column, overflow="fold")
    for row in rows:
        said = "; ".join(
            ANSWERS[a.answer] + (f" ({a.observed})" if a.observed else "")
            for a in history.get(row.id, [])
        )
        status = row.status + (f", next {row.due_at:%Y-%m-%d}" if row.due_at else "")
        table.add_row(
            f"{row.key} {row.title}", row.target or "", f"{row.done_at:%Y-%m-%d}", status, said
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("outcomes")(outcomes)
