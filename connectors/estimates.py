"""Estimates written as labels ("estimate: 3", "size/M"): the conventions every source shares."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

# GithubConfig's defaults, and what Jira labels are read with: pure callers need no settings.
# Every label the missing-estimate rule accepts by default also counts as points here.
DEFAULT_ESTIMATE_LABELS: tuple[str, ...] = (
    "estimate: {n}",
    "points/{n}",
    "points: {n}",
    "sp:{n}",
    "size: {size}",
    "size/{size}",
)
DEFAULT_SIZE_POINTS: dict[str, float] = {"XS": 1.0, "S": 2.0, "M": 3.0, "L": 5.0, "XL": 8.0}

EstimateFromLabels = Callable[[Sequence[str]], float | None]


class EstimateLabels:
    """Read story points from label names, using patterns like "estimate: {n}" or "size: {size}"."""

    def __init__(
        self,
        patterns: Iterable[str] = DEFAULT_ESTIMATE_LABELS,
        size_points: Mapping[str, float] | None = None,
    ) -> None:
        sizes = DEFAULT_SIZE_POINTS if size_points is None else size_points
        self.size_points = {name.lower(): float(points) for name, points in sizes.items()}
        self.patterns = [_compile(pattern) for pattern in patterns]

    def __call__(self, labels: Sequence[str]) -> float | None:
        """Return the estimate of the first pattern that matches any label, else None."""
        for pattern in self.patterns:
            for label in labels:
                match = pattern.fullmatch(label.strip())
                if match is None:
                    continue
                groups = match.groupdict()
                if groups.get("n") is not None:
                    return float(groups["n"])
                points = self.size_points.get((groups.get("size") or "").lower())
                if points is not None:
                    return points
        return None


def _compile(pattern: str) -> re.Pattern[str]:
    """Compile "estimate: {n}" into a regex; spacing around separators is free ("sp: 3", "sp:3")."""
    regex = ""
    for part in re.split(r"(\{n\}|\{size\})", pattern.strip()):
        if part == "{n}":
            regex += r"(?P<n>\d+(?:\.\d+)?)"
        elif part == "{size}":
            regex += r"(?P<size>[A-Za-z0-9]+)"
        else:
            literal = re.sub(r"(?:\\ |\s)+", r"\\s*", re.escape(part))
            regex += "".join(
                re.escape(char) + r"\s*" if char in ":/=" else char for char in literal
            )
    return re.compile(regex, re.IGNORECASE)
