"""Comment bodies in GitHub-flavoured Markdown, marked so Refinery finds its own again."""

from __future__ import annotations

from connectors.comments import FindingsBody, NoteBody, ReadyBody

HIDDEN_MARKER = "<!-- refinery:comment -->"  # invisible on GitHub


def escape(text: str) -> str:
    # Rule text is plain: keep it from opening HTML or turning words into mentions.
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("@", "@\u200b")


class Markdown:
    def findings(self, body: FindingsBody) -> str:
        who = body.mention
        mention = f"@{who.id} " if who and who.id else ""
        parts = [HIDDEN_MARKER, f"{mention}{body.header}", ""]
        for entry in body.entries:
            seen = f" ({escape(entry.quote)})" if entry.quote else ""
            parts.append(f"- **{escape(entry.message)}**{seen}")
            if entry.how_to:
                parts.append(f"  {escape(entry.how_to)}")
        if body.counted:
            parts += ["", body.counted_title]
            parts += [f"- {escape(line)}" for line in body.counted]
        parts += ["", f"_{body.footer}_"]
        return "\n".join(parts)

    def ready(self, body: ReadyBody) -> str:
        return f"{HIDDEN_MARKER}\n:white_check_mark: {body.text}\n\n_{body.footer}_"

    def note(self, body: NoteBody) -> str:
        return HIDDEN_MARKER + "\n" + "\n\n".join(body.paragraphs) + f"\n\n_{body.footer}_"


MARKDOWN = Markdown()
