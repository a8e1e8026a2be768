"""Judge the labelled corpus beside the repository and print precision and recall.

Usage:
    python bench/judgment_eval.py [--corpus ../shared/corpus] [--misses RULE] [--evidence]
                                  [--no-cross] [--ablation]
    python bench/judgment_eval.py --probe [bench/judgment_probe.json]

Loads every corpus file through Refinery's own file connector, runs the rules engine, and
compares the findings with `labels.json`: precision and recall per rule, overall and per source
(Jira, user stories, GitHub). `--misses RULE` lists each false alarm and miss with the
engine's verdict and the label's evidence, to read against the corpus's written rubric.
`--evidence` checks that every passed why/outcome verdict quotes a verbatim span of the
item's title or description text.

`--probe` scores the robustness probe instead (`bench/judgment_probe.json`: items written for
this project in many phrasings, labelled by the corpus rubric, no corpus text) and prints
each miss with the engine's verdict.

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
import tempfile
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


PROBE = ROOT / "bench" / "judgment_probe.json"


def _adf(blocks: list[list[str]]) -> dict[str, object]:
    content: list[dict[str, object]] = []
    for kind, text in blocks:
        node: dict[str, object] = {"type": "text", "text": text}
        if kind == "h":
            content.append({"type": "heading", "attrs": {"level": 3}, "content": [node]})
        else:
            content.append({"type": "paragraph", "content": [node]})
    return {"type": "doc", "version": 1, "content": content}


def _jira_issue(n: int, entry: dict[str, object]) -> dict[str, object]:
    text = entry["text"]
    description = _adf(text) if entry["kind"] == "jira-adf" else text  # type: ignore[arg-type]
    return {
        "id": str(n),
        "self": f"https://jira.example.test/rest/api/2/issue/{n}",
        "key": entry["id"],
        "fields": {
            "issuetype": {"name": "Story", "subtask": False},
            "project": {"key": "PROBE", "name": "Probe"},
            "summary": entry["title"],
            "description": description,
            "status": {"name": "Open", "statusCategory": {"key": "new", "name": "To Do"}},
            "labels": [],
            "created": "2026-01-01T09:00:00.000+0000",
            "updated": "2026-01-01T09:00:00.000+0000",
        },
    }


def _github_issue(n: int, entry: dict[str, object]) -> dict[str, object]:
    return {
        "number": n,
        "id": n,
        "title": entry["title"],
        "body": entry["text"] or "",
        "state": "open",
        "labels": [{"name": "enhancement"}],
        "user": {"login": "probe"},
        "created_at": "2026-01-01T09:00:00Z",
        "updated_at": "2026-01-01T09:00:00Z",
        "closed_at": None,
        "url": f"https://api.github.com/repos/probe/probe/issues/{n}",
        "html_url": f"https://github.com/probe/probe/issues/{n}",
        "repository_url": "https://api.github.com/repos/probe/probe",
    }


def load_probe(path: Path) -> list[tuple[Item, dict[str, object]]]:
    """The probe's items, read through the file connector like the corpus (so wiki, ADF and
    Markdown go through the same readers), each with its entry."""
    entries = json.loads(path.read_text())["items"]
    jira = [(n, e) for n, e in enumerate(entries, 1) if e["kind"] != "github"]
    github = [(n, e) for n, e in enumerate(entries, 1) if e["kind"] == "github"]
    page = {"startAt": 0, "maxResults": len(jira), "total": len(jira), "names": {}}
    page["issues"] = [_jira_issue(n, e) for n, e in jira]
    by_key: dict[str, dict[str, object]] = {e["id"]: e for e in entries}
    by_key.update({f"probe/probe#{n}": e for n, e in github})
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in (
            ("jira.json", page),
            ("github.json", [_github_issue(n, e) for n, e in github]),
        ):
            file = Path(tmp) / name
            file.write_text(json.dumps(data))
            for item in load_items(file):
                entry = next(v for k, v in by_key.items() if item.key.endswith(k))
                out.append((item, entry))
    return out


def probe(path: Path, engine: Engine) -> None:
    """Precision and recall per kind on the probe, then every miss with the verdict."""
    cases = load_probe(path)
    kinds = sorted({str(e["kind"]) for _, e in cases})
    part = {"missing-why": "why", "missing-outcome": "outcome"}
    verdicts = {id(item): {v.rule: v for v in engine.explain(item)} for item, _ in cases}
    subsets = sorted({str(e.get("set", "a")) for _, e in cases})
    print(
        f"probe items: {len(cases)} ({path.name}); sets {', '.join(subsets)} (what each set is:"
        " the file's 'about')"
    )
    print(f"{'rule':17s} {'set':4s} {'kind':9s} {'P':>5s} {'R':>5s} {'F1':>5s}   tp/fp/fn")
    for rule, label in part.items():
        for subset in subsets:
            for kind in ("all", *kinds):
                s = Score()
                for item, entry in cases:
                    if kind in ("all", entry["kind"]) and entry.get("set", "a") == subset:
                        verdict = verdicts[id(item)].get(rule)
                        s.add(verdict is not None and not verdict.passed, not entry[label])
                print(
                    f"{rule:17s} {subset:4s} {kind:9s} {s.precision:5.2f} {s.recall:5.2f}"
                    f" {s.f1:5.2f}   {s.tp}/{s.fp}/{s.fn}"
                )
    for rule, label in part.items():
        for item, entry in cases:
            verdict = verdicts[id(item)].get(rule)
            raised = verdict is not None and not verdict.passed
            if raised == (not entry[label]):
                continue
            kind = "FP" if raised else "FN"
            where = f"{entry['id']} {entry.get('set', 'a')} {entry['kind']}"
            print(f"\n{kind} {rule} {where}: {item.title[:100]}")
            if verdict is not None:
                print(f"   engine: {verdict.reason[:120]} | {json.dumps(verdict.evidence)[:200]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--misses", choices=RULES)
    parser.add_argument("--evidence", action="store_true")
    parser.add_argument("--no-cross", action="store_true")
    parser.add_argument("--ablation", action="store_true", help="F1 per source, each part left out")
    parser.add_argument("--probe", type=Path, nargs="?", const=PROBE, help="score the probe set")
    args = parser.parse_args()
    if args.probe:
        probe(args.probe, Engine())
        return 0
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
