"""Comment bodies for Jira: ADF on Cloud (REST v3), wiki markup on Data Center (REST v2)."""

from __future__ import annotations

import re
from typing import Any

from connectors.comments import FindingsBody, NoteBody, ReadyBody

# Cloud accountIds: "557058:uuid", "712020:uuid" or 24 hex digits; anything else is a DC username.
_ACCOUNT_ID = re.compile(r"^(\d+:[0-9a-f-]{36}|[0-9a-f]{24})$")


def wiki_mention(user_id: str) -> str:
    """Cloud ids need the accountid: prefix; Data Center mentions a username."""
    if _ACCOUNT_ID.match(user_id):
        return f"[~accountid:{user_id}]"
    return f"[~{user_id}]"


def wiki_escape(text: str) -> str:
    # Brackets, braces and pipes start links, macros and tables in wiki markup.
    return re.sub(r"([\[\]{}|*_])", r"\\\1", text)


class Wiki:
    def findings(self, body: FindingsBody) -> str:
        who = body.mention
        mention = f"{wiki_mention(who.id)} " if who and who.id else ""
        parts = [f"{mention}{wiki_escape(body.header)}", ""]
        for entry in body.entries:
            how = f" — {wiki_escape(entry.how_to)}" if entry.how_to else ""
            seen = f" ({wiki_escape(entry.quote)})" if entry.quote else ""
            parts.append(f"* *{wiki_escape(entry.message)}*{seen}{how}")
        if body.counted:
            parts += ["", body.counted_title]
            parts += [f"* {wiki_escape(line)}" for line in body.counted]
        parts += ["", f"_{wiki_escape(body.footer)}_"]
        return "\n".join(parts)

    def ready(self, body: ReadyBody) -> str:
        return f"(/) {wiki_escape(body.text)}\n\n_{wiki_escape(body.footer)}_"

    def note(self, body: NoteBody) -> str:
        return "\n".join(body.paragraphs) + f"\n\n_{body.footer}_"


class Adf:
    def findings(self, body: FindingsBody) -> dict[str, Any]:
        opening: list[dict[str, Any]] = []
        who = body.mention
        if who and who.id:
            mention: dict[str, Any] = {"type": "mention", "attrs": {"id": who.id}}
            if who.name:
                mention["attrs"]["text"] = f"@{who.name}"
            opening += [mention, text(" ")]
        opening.append(text(body.header))
        items = []
        for entry in body.entries:
            head = [text(entry.message, "strong")]
            if entry.quote:
                head.append(text(f" ({entry.quote})"))
            content = [paragraph(head)]
            if entry.how_to:
                content.append(paragraph([text(entry.how_to)]))
            items.append({"type": "listItem", "content": content})
        blocks = [paragraph(opening)]
        if items:
            blocks.append({"type": "bulletList", "content": items})
        if body.counted:
            blocks.append(paragraph([text(body.counted_title)]))
            blocks.append(
                {
                    "type": "bulletList",
                    "content": [
                        {"type": "listItem", "content": [paragraph([text(line)])]}
                        for line in body.counted
                    ],
                }
            )
        blocks.append(paragraph([text(body.footer, "em")]))
        return doc(blocks)

    def ready(self, body: ReadyBody) -> dict[str, Any]:
        return doc([paragraph([text(body.text)]), paragraph([text(body.footer, "em")])])

    def note(self, body: NoteBody) -> dict[str, Any]:
        paragraphs = [paragraph([text(line)]) for line in body.paragraphs]
        return doc([*paragraphs, paragraph([text(body.footer, "em")])])


def doc(content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": content}


def paragraph(content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "paragraph", "content": content}


def text(value: str, mark: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if mark:
        node["marks"] = [{"type": mark}]
    return node


WIKI = Wiki()
ADF = Adf()
