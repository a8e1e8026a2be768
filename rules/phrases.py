"""Many regex phrases compiled into one pattern that is fast to search (a literal-prefix trie)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """Compile regex phrases, each starting with a plain lower-case letter, for fast search.

    Search the result in `Prepared.search` text (rules.judgment). The phrases' literal
    beginnings are merged into a trie behind a literal space: the regex engine jumps from space
    to space and walks each shared prefix ("is ", "so ") once per word, not once per phrase.
    """
    trie: dict[str, Any] = {}
    loose: list[str] = []  # phrases that open with a group, e.g. "(?:will|would) help"
    for phrase in _expand_leading_groups(phrases):
        if phrase.startswith("(?:"):
            loose.append(phrase)
            continue
        if not phrase[:1].isalpha() or not phrase[:1].islower():
            raise ValueError(f"phrase must start with a lower-case letter: {phrase!r}")
        atoms, rest = _literal_head(phrase)
        node = trie
        for atom in atoms:
            node = node.setdefault(atom, {})
        node.setdefault("", []).append(rest)
    branches = [_trie_regex(trie)] if trie else []
    branches += [f"(?={_first_letters(p)}){p}" for p in loose]
    return re.compile(f" (?:{'|'.join(branches)})")


_QUANTIFIERS = ("?", "*", "+", "{")
_SPACE_ATOMS = ("\\s+", "\\s*", "\\s")


def _literal_head(phrase: str) -> tuple[list[str], str]:
    """Split a phrase into its leading literal atoms (letters, "'", "-", "\\s+") and the rest."""
    atoms: list[str] = []
    index = 0
    while index < len(phrase):
        atom = next((a for a in _SPACE_ATOMS if phrase.startswith(a, index)), None)
        if atom is None:
            char = phrase[index]
            if not (char.isalpha() and char.islower()) and char not in "'-":
                break
            atom = char
        after = index + len(atom)
        if phrase[after : after + 1] in _QUANTIFIERS:
            break  # "s?" or "\\s+?": the atom is not always there
        atoms.append(atom)
        index = after
    if not atoms:  # always keep the first letter: it was checked above
        atoms, index = [phrase[0]], 1
    return atoms, phrase[index:]


def _trie_regex(node: dict[str, Any]) -> str:
    """A trie of atoms as one regex: shared prefixes once, then the alternatives."""
    children = [atom + _trie_regex(child) for atom, child in node.items() if atom != ""]
    # Order does not matter: the search wants any match, not the longest. A phrase that ends
    # here leaves an empty alternative, which matches as it should.
    alternatives = children + node.get("", [])
    if len(alternatives) == 1:
        return str(alternatives[0])  # phrases hold no top-level "|" (leading groups are expanded)
    return "(?:" + "|".join(alternatives) + ")"


def _expand_leading_groups(phrases: Iterable[str]) -> list[str]:
    """Turn "(?:will|would) help" into "will help" and "would help", so that every phrase
    can sit behind its first letter; a group that cannot be split stays as it is."""
    out: list[str] = []
    for phrase in phrases:
        end = _group_end(phrase) if phrase.startswith("(?:") else -1
        alternatives = _split_top(phrase[3:end]) if end > 0 else []
        rest = phrase[end + 1 :]
        if (
            alternatives
            and rest[:1] not in ("?", "*", "+", "{")
            and all(a[:1].isalpha() and a[:1].islower() for a in alternatives)
        ):
            out.extend(_expand_leading_groups([a + rest for a in alternatives]))
        else:
            out.append(phrase)
    return out


def _group_end(phrase: str) -> int:
    """Index of the parenthesis closing the group that opens `phrase`, or -1."""
    depth = 0
    escaped = False
    for index, char in enumerate(phrase):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _split_top(body: str) -> list[str]:
    """Split a group's body at its top-level "|"."""
    parts, depth, start, escaped = [], 0, 0, False
    for index, char in enumerate(body):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(body[start:index])
            start = index + 1
    parts.append(body[start:])
    return parts


def _first_letters(phrase: str) -> str:
    """A lookahead class of the letters a "(?:a|b)..." phrase can open with (cheap skip)."""
    head = phrase[3 : phrase.find(")")]
    letters = sorted({alt[:1] for alt in head.split("|") if alt[:1].isalpha()})
    return f"[{''.join(letters)}]" if letters else ""
