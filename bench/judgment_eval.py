"""Judge the labelled corpus beside the repository and print precision and recall.

Usage:
    python bench/judgment_eval.py [--corpus ../shared/corpus] [--misses RULE] [--evidence]
                                  [--no-cross] [--ablation]

Loads every corpus file through Refinery's own file connector, runs the rules engine, and
compares the findings with `labels.json`: precision and recall per rule, overall and per source
(Jira, user stories, GitHub). `--misses RULE` lists each false alarm and miss with the
engine's verdict and the label's evidence, to read against the corpus's written rubric.
`--evidence` checks that every passed why/outcome verdict quotes a verbatim span of the
item's title or description text.

Cross-source figures: the why rule reads cue groups (see `rules.judgment.CUE_GROUPS`) and
judges a purpose clause with named restatement checks (`rules.judgment.RESTATE_CHECKS`). For
each source, groups and checks are chosen greedily on the other two sources only (start from
all, drop the one whose removal most raises F1 there, while it does), and the missing-why F1
of that choice is reported on the left-out source, next to the F1 of the full rule set.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.files import load_items  # noqa: E402
from connectors.item import Item  # noqa: E402
from rules import judgment  # noqa: E402
from rules.engine import Engine  # noqa: E402

RULES = ("missing-why", "missing-outcome", "missing-estimate")
SOURCES = ("jira", "userstories", "github")


def source_of(path: Path) -> str:
    if path.name == "jira_userstories.json":
        return "userstories"
    return "github" if path.name.startswith("github") else "jira"


def norm_key(item: Item) -> str:
    return item.key


@dataclass
class Case:
    item: Item
    source: str
    labels: set[str]


def load_corpus(corpus: Path) -> list[Case]:
    labels = {k: set(v) for k, v in json.loads((corpus / "labels.json").read_text()).items()}
    cases = []
    for path in sorted(corpus.glob("*.json")):
        if path.name in ("labels.json", "evidence.json", "sources.json"):
            continue
        for item in load_items(path):
            key = norm_key(item)
            if key in labels:
                cases.append(Case(item, source_of(path), labels[key]))
    return cases


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, raised: bool, labelled: bool) -> None:
        if raised and labelled:
            self.tp += 1
        elif raised:
            self.fp += 1
        elif labelled:
            self.fn += 1


def raised_rules(engine: Engine, item: Item) -> set[str]:
    return {finding.rule for finding in engine.evaluate(item)}


def score(cases: Iterable[Case], engine: Engine, rule: str) -> Score:
    result = Score()
    for case in cases:
        result.add(rule in raised_rules(engine, case.item), rule in case.labels)
    return result


def table(cases: list[Case], engine: Engine) -> None:
    print(f"{'rule':17s} {'source':12s} {'P':>5s} {'R':>5s} {'F1':>5s}   tp/fp/fn")
    findings = {id(c): raised_rules(engine, c.item) for c in cases}
    for rule in RULES:
        for source in ("all", *SOURCES):
            s = Score()
            for case in cases:
                if source in ("all", case.source):
                    s.add(rule in findings[id(case)], rule in case.labels)
            print(
                f"{rule:17s} {source:12s} {s.precision:5.2f} {s.recall:5.2f} {s.f1:5.2f}"
                f"   {s.tp}/{s.fp}/{s.fn}"
            )


def why_f1(cases: list[Case], groups: frozenset[str]) -> float:
    with judgment.only_groups(groups):
        return score(cases, Engine(), "missing-why").f1


def cross_source(cases: list[Case]) -> None:
    all_groups = frozenset(judgment.CUE_GROUPS) | judgment.RESTATE_CHECKS
    print(
        "\ncross-source (missing-why): cue groups and restatement checks chosen on two sources,"
        " scored on the third"
    )
    print(f"{'left out':12s} {'F1 tuned':>9s} {'F1 all':>7s}  dropped groups")
    for left_out in SOURCES:
        train = [c for c in cases if c.source != left_out]
        test = [c for c in cases if c.source == left_out]
        chosen = all_groups
        best = why_f1(train, chosen)
        while True:
            trials = [(why_f1(train, chosen - {g}), g) for g in sorted(chosen)]
            if not trials:
                break
            f1, group = max(trials)
            if f1 <= best:
                break
            best, chosen = f1, chosen - {group}
        dropped = ", ".join(sorted(all_groups - chosen)) or "none"
        print(
            f"{left_out:12s} {why_f1(test, chosen):9.2f} {why_f1(test, all_groups):7.2f}  {dropped}"
        )


def ablation(cases: list[Case]) -> None:
    """Missing-why F1 per source with each cue group or restatement check left out: a part
    that only one source needs shows as a change on that source alone."""
    all_groups = frozenset(judgment.CUE_GROUPS) | judgment.RESTATE_CHECKS
    by_source = {s: [c for c in cases if c.source == s] for s in SOURCES}
    full = {s: why_f1(by_source[s], all_groups) for s in SOURCES}
    print("\nablation (missing-why F1 change per source when one part is left out)")
    print(f"{'left out':14s}" + "".join(f"{s:>13s}" for s in SOURCES))
    print(f"{'(none)':14s}" + "".join(f"{full[s]:13.2f}" for s in SOURCES))
    for group in sorted(all_groups):
        row = [why_f1(by_source[s], all_groups - {group}) - full[s] for s in SOURCES]
        print(f"{group:14s}" + "".join(f"{d:+13.2f}" for d in row))


def show_misses(cases: list[Case], engine: Engine, rule: str, corpus: Path) -> None:
    evidence = json.loads((corpus / "evidence.json").read_text())
    part = {"missing-why": "why", "missing-outcome": "outcome", "missing-estimate": "estimate"}[
        rule
    ]
    for case in cases:
        raised = rule in raised_rules(engine, case.item)
        labelled = rule in case.labels
        if raised == labelled:
            continue
        verdict = next((v for v in engine.explain(case.item) if v.rule == rule), None)
        kind = "FP" if raised else "FN"
        print(f"\n{kind} {case.source} {case.item.key}: {case.item.title[:90]}")
        print(f"   label: {json.dumps(evidence.get(case.item.key, {}).get(part))[:300]}")
        if verdict is not None:
            print(f"   engine: {verdict.reason[:150]} | {json.dumps(verdict.evidence)[:200]}")


def check_evidence(cases: list[Case], engine: Engine) -> None:
    checked = bad = 0
    for case in cases:
        for verdict in engine.explain(case.item):
            if verdict.rule in ("missing-why", "missing-outcome") and verdict.passed:
                if verdict.evidence is None and case.item.outcome:
                    continue
                checked += 1
                ev = verdict.evidence or ""
                if not ev or (ev not in case.item.title and ev not in case.item.text):
                    bad += 1
                    print(f"not verbatim: {case.item.key} {verdict.rule}: {ev!r}")
    print(f"\nevidence: {checked - bad} of {checked} passed verdicts quote a verbatim span")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--misses", choices=RULES)
    parser.add_argument("--evidence", action="store_true")
    parser.add_argument("--no-cross", action="store_true")
    parser.add_argument("--ablation", action="store_true", help="F1 per source, each part left out")
    args = parser.parse_args()
    if not (args.corpus / "labels.json").exists():
        print(f"no labelled corpus at {args.corpus}", file=sys.stderr)
        return 2
    cases = load_corpus(args.corpus)
    engine = Engine()
    print(f"items: {len(cases)}")
    if args.misses:
        show_misses(cases, engine, args.misses, args.corpus)
        return 0
    table(cases, engine)
    if args.evidence:
        check_evidence(cases, engine)
    if not args.no_cross:
        cross_source(cases)
    if args.ablation:
        ablation(cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
