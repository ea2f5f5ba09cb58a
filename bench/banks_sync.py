"""How long a bank sync takes: the shipped banks and a generated corpus of 2,000 articles,
each from an empty database and as a no-change re-sync.

    python bench/banks_sync.py [--articles 2000] [--database sqlite|postgres|both]

A re-sync whose files and generating code are those of the last sync of the same folder applies
nothing and parses nothing (the banks service keeps a fingerprint of both).

Targets: shipped banks under 2 s, 2,000 articles under 60 s.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import ROOT, bench_app, timed

from app.clock import now
from app.services import banks

ASPECTS = ["Latency", "Throughput", "Durability", "Cost", "Operational load", "Failure mode"]


def generate_corpus(root: Path, count: int) -> None:
    (root / "tracks").mkdir(parents=True)
    keys = []
    for n in range(count):
        key = f"topic-{n:05d}"
        keys.append(key)
        rows = "\n".join(
            f"| {aspect} | " + " | ".join(f"Option {o} value {n}-{i}" for o in "ABC") + " |"
            for i, aspect in enumerate(ASPECTS)
        )
        checklist = "\n".join(
            f"- [ ] Question {i} about topic {n}?\n  - Answer {i}: a sentence of explanation for "
            f"topic {n}. Another sentence that adds detail."
            for i in range(6)
        )
        (root / f"{n:05d}-{key}.md").write_text(
            f"---\nkey: {key}\ntitle: Topic {n}\norder: {n}\ndifficulty: intermediate\n"
            f"read_minutes: 10\nkey_tradeoff: Alpha{n % 97} vs Beta{n % 89}\n---\n"
            f"# Topic {n}\n\nSome prose about topic {n}.\n\n"
            f"## The One Thing to Remember\n\nTopic {n} trades **speed for safety**.\n\n"
            f"## Trade-off Analysis\n\n### Options\n\n| Aspect | Option A | Option B | Option C |\n"
            f"|---|---|---|---|\n{rows}\n\n## Self-Assessment\n\n{checklist}\n"
        )
    (root / "tracks" / "all.yaml").write_text(
        "key: all\ntitle: All\ndescription: Everything.\nlevel: intermediate\narticles:\n"
        + "".join(f"  - {k}\n" for k in keys)
    )


def measure(label: str, root: Path, database: str) -> None:
    with bench_app(database):
        with timed() as parse:
            bank = banks.load_bank(root)
        with timed() as first:
            report = banks.apply(bank, now=now())
    with bench_app(database):
        with timed() as whole:
            banks.sync(root, now=now())  # read, parse and apply, as `rehearse banks sync` does
        with timed() as again:
            second = banks.sync(root, now=now())
        assert not second.changed, "a re-sync changed something"
    print(
        f"{label:<28} {database:<9} {len(bank.articles):>6} articles {len(bank.questions):>7} "
        f"questions | parse {parse[0]:6.2f} s | apply to an empty db {first[0]:6.2f} s | "
        f"whole sync into an empty db {whole[0]:6.2f} s | no-change re-sync {again[0]:6.2f} s "
        f"| added {report.questions.added}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        generate_corpus(corpus, args.articles)
        for database in databases:
            measure("shipped banks", ROOT / "question_banks", database)
            measure(f"generated ({args.articles})", corpus, database)


if __name__ == "__main__":
    main()
