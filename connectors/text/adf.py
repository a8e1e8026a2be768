"""Atlassian Document Format (Jira Cloud v3 descriptions) turned into blocks, iteratively."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.text.markup import Block

# Nodes whose children are inline content: each becomes one block of text.
_TEXT_BLOCKS = frozenset(
    {"paragraph", "heading", "codeBlock", "taskItem", "decisionItem", "caption", "blockCard"}
)
# Block containers: whatever text was gathered inside ends at their boundaries.
_CONTAINERS = frozenset(
    {
        "doc",
        "bulletList",
        "orderedList",
        "listItem",
        "blockquote",
        "panel",
        "table",
        "tableRow",
        "tableHeader",
        "tableCell",
        "expand",
        "nestedExpand",
        "layoutSection",
        "layoutColumn",
        "taskList",
        "decisionList",
        "bodiedExtension",
        "mediaSingle",
        "mediaGroup",
    }
)
_END = object()  # stack marker: the node pushed just below has been fully walked
_MAX_NODES = 200_000  # a description is never this big; stops hostile or cyclic input


def adf_blocks(doc: Any) -> list[Block]:
    """Walk an ADF document (any JSON-like value) without recursion and collect its blocks."""
    walker = _Walker()
    walker.walk(doc)
    return walker.blocks


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.bold_prefix: str | None = None  # strong text that opens the current paragraph

    def walk(self, doc: Any) -> None:
        stack: list[Any] = [doc]
        seen: set[int] = set()
        budget = _MAX_NODES
        while stack and budget:
            budget -= 1
            node = stack.pop()
            if node is _END:
                self.flush(stack.pop())
                continue
            if isinstance(node, list):
                if id(node) not in seen:
                    seen.add(id(node))
                    stack.extend(reversed(node))
                continue
            if not isinstance(node, dict) or id(node) in seen:
                continue
            seen.add(id(node))
            kind = node.get("type")
            if kind == "text":
                self.text(node)
                continue
            inline = _inline_atom(kind, node.get("attrs"))
            if inline is not None:
                if inline and kind != "hardBreak" and self.parts and self.parts[-1][-1:].isalnum():
                    self.parts.append(" ")  # "see<card>" reads "see https://..."
                self.parts.append(inline)
                continue
            if kind in _TEXT_BLOCKS or kind in _CONTAINERS:
                self.flush(None)
                title = _title(kind, node.get("attrs"))
                if title:
                    self.blocks.append(("h", title, ""))
                stack.append(node)
                stack.append(_END)
            content = node.get("content")
            if isinstance(content, list):
                stack.extend(reversed(content))
        self.flush(None)

    def text(self, node: dict[str, Any]) -> None:
        value = node.get("text")
        if not isinstance(value, str):
            return
        if not self.parts and _is_strong(node.get("marks")):
            self.bold_prefix = value
        self.parts.append(value)

    def flush(self, node: Any) -> None:
        text = "".join(self.parts).strip()
        bold, self.bold_prefix = self.bold_prefix, None
        self.parts.clear()
        if not text:
            return
        kind = node.get("type") if isinstance(node, dict) else None
        if kind == "heading":
            self.blocks.append(("h", text, ""))
        elif kind == "codeBlock":
            self.blocks.append(("c", text, ""))
        elif kind == "paragraph" and bold and len(bold) <= 60 and "\n" not in bold:
            rest = text[len(bold.strip()) :].strip() if text.startswith(bold.strip()) else ""
            if bold.rstrip().endswith(":") or rest.startswith(":") or not rest:
                self.blocks.append(
                    ("l", bold.strip().rstrip(":").strip(), rest.lstrip(":").strip())
                )
            else:
                self.blocks.append(("p", text, ""))
        else:
            self.blocks.append(("p", text, ""))


def _is_strong(marks: Any) -> bool:
    return isinstance(marks, list) and any(
        isinstance(m, dict) and m.get("type") == "strong" for m in marks
    )


def _title(kind: Any, attrs: Any) -> str:
    """Expands and panels with a title act as headings."""
    if kind in ("expand", "nestedExpand", "panel") and isinstance(attrs, dict):
        title = attrs.get("title")
        if isinstance(title, str):
            return title.strip()
    return ""


def _inline_atom(kind: Any, attrs: Any) -> str | None:
    """Text for inline leaf nodes; None when `kind` is not one."""
    if kind == "hardBreak":
        return "\n"
    if kind not in ("mention", "emoji", "inlineCard", "status", "date", "placeholder", "media"):
        return None
    if not isinstance(attrs, dict):
        return ""
    if kind == "mention":
        name = attrs.get("text") or attrs.get("id") or ""
        name = str(name)
        return name if name.startswith("@") or not name else f"@{name}"
    if kind == "emoji":
        return str(attrs.get("text") or attrs.get("shortName") or "")
    if kind == "inlineCard":
        return str(attrs.get("url") or "")
    if kind == "status":
        return str(attrs.get("text") or "")
    if kind == "date":
        return _date(attrs.get("timestamp"))
    return ""  # placeholder: template hint text, never content; media: no text


def _date(timestamp: Any) -> str:
    try:
        return datetime.fromtimestamp(int(timestamp) / 1000, tz=UTC).date().isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return ""
