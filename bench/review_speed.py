"""Time per review against Anki's own engine, in one run: next card + answer, at two day sizes.

    pip install '.[bench]'        # Anki's backend (the `anki` package), a benchmark dependency
    python bench/review_speed.py [--sizes 300 3000] [--reviews 300] [--pairs 3]

(The largest day of new cards a preset allows is 9,999: ``--sizes 300 3000 9999``.)

One learner whose day holds N new cards (N = each size), answering them one after another:

* Rehearse: ``GET /api/v1/study/next`` and ``POST /api/v1/study/answers`` (Good, a fresh review
  id, the version just shown) through ``app.test_client()`` in this process, on SQLite, with the
  learner's track of N self-assessment questions and ``new_per_day = N``;
* Anki: ``col.sched.get_queued_cards()`` and ``col.sched.answer_card(...)`` (Good) on a collection
  of N Basic notes in one deck with ``new/day = N`` and FSRS on;
* a bare Flask route in the same app, for the fixed cost of a request.

Each pair measures both engines at one size, interleaved review by review, so whatever else runs
on the machine slows both alike; ``--pairs`` repeats it with fresh data. Prints the median and
p99 wall time per review, the CPU time, and the ratios the targets are stated in: Rehearse / Anki
at each size (target <= 4x) and Rehearse at each larger size / the smallest (target <= 1.2x).
After warming up, what is loaded is frozen with ``gc.freeze()``, as ``wsgi.py`` does.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import bench_app

from app.clock import now
from app.services import accounts, banks, study, tokens

BARE_URL = "/bench-bare"
PER_ARTICLE = 100


@dataclass
class Times:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, call: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        self.wall.append(time.perf_counter() - wall)
        self.cpu.append(time.process_time() - cpu)
        return result

    def median(self) -> float:
        return statistics.median(self.wall) * 1000

    def p99(self) -> float:
        ordered = sorted(self.wall)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000

    def cpu_median(self) -> float:
        return statistics.median(self.cpu) * 1000


def write_bank(root: Path, size: int) -> None:
    """`size` self-assessment questions in articles of 100, one track holding them all."""
    (root / "tracks").mkdir(parents=True)
    keys = []
    for article in range((size + PER_ARTICLE - 1) // PER_ARTICLE):
        key = f"topic-{article:03d}"
        keys.append(key)
        count = min(PER_ARTICLE, size - article * PER_ARTICLE)
        items = "\n".join(
            f"- [ ] Question {n} of topic {article}, about mechanism {n * 7 + article}?\n"
            f"  - Answer {n}: what happens in case {n * 7 + article}."
            for n in range(count)
        )
        (root / f"{article:03d}-{key}.md").write_text(
            f"---\nkey: {key}\ntitle: Topic {article}\n---\n\n# Topic {article}\n\n"
            f"## Self-Assessment\n\n{items}\n"
        )
    (root / "tracks" / "all.yaml").write_text(
        "key: all\ntitle: All\ndescription: Everything.\narticles:\n"
        + "".join(f"  - {key}\n" for key in keys)
    )


class Rehearse:
    """One learner on a fresh SQLite app with a day of `size` new cards."""

    def __init__(self, app: Any, size: int, tmp: Path) -> None:
        self.app = app
        write_bank(tmp / "banks", size)
        banks.sync(tmp / "banks", now=now())
        user = accounts.register(
            email=f"{uuid.uuid4().hex}@example.com",
            display_name="Bench",
            password="correct horse battery staple",
            now=now(),
        )
        enrolment = study.enrol(user.id, "all", now=now())
        study.update_preset(user.id, enrolment.id, {"new_per_day": size}, now=now())
        secret = tokens.create_token(user.id, name="bench", now=now()).secret
        self.headers = {"Authorization": f"Bearer {secret}"}
        self.client = app.test_client()

    def review(self) -> None:
        card = self.client.get("/api/v1/study/next", headers=self.headers).get_json()["card"]
        # Studying all tracks, as /study/next was asked: no `track` (see the API document).
        body = {
            "review_id": uuid.uuid4().hex,
            "question_id": card["question_id"],
            "version": card["version"],
            "rating": 3,
        }
        reply = self.client.post("/api/v1/study/answers", json=body, headers=self.headers)
        assert reply.status_code == 201, reply.get_json()

    def bare(self) -> None:
        assert self.client.get(BARE_URL).status_code == 200


class Anki:
    """A collection of `size` Basic notes in one deck, new/day = size, FSRS on."""

    def __init__(self, size: int, tmp: Path) -> None:
        from anki.collection import Collection
        from anki.scheduler.v3 import CardAnswer

        self.good = CardAnswer.GOOD
        self.col = Collection(str(tmp / "collection.anki2"))
        self.col.set_config("fsrs", True)
        deck_id = self.col.decks.id("Bench")
        config = self.col.decks.config_dict_for_deck_id(deck_id)
        config["new"]["perDay"] = size
        config["rev"]["perDay"] = 9999
        self.col.decks.update_config(config)
        model = self.col.models.by_name("Basic")
        for n in range(size):
            note = self.col.new_note(model)
            note["Front"] = f"Question {n}?"
            note["Back"] = f"Answer {n}."
            self.col.add_note(note, deck_id)
        self.col.decks.select(deck_id)

    def review(self) -> None:
        from anki.cards import Card

        queued = self.col.sched.get_queued_cards(fetch_limit=1).cards[0]
        card = Card(self.col)
        card._load_from_backend_card(queued.card)
        card.start_timer()
        answer = self.col.sched.build_answer(card=card, states=queued.states, rating=self.good)
        self.col.sched.answer_card(answer)

    def close(self) -> None:
        self.col.close()


@dataclass
class Result:
    rehearse: Times = field(default_factory=Times)
    anki: Times = field(default_factory=Times)
    bare: Times = field(default_factory=Times)


def measure(size: int, reviews: int, result: Result) -> None:
    with tempfile.TemporaryDirectory() as tmp, bench_app("sqlite", SCHEDULER_FUZZ=False) as app:
        app.add_url_rule(BARE_URL, "bench_bare", lambda: "ok")
        ours = Rehearse(app, size, Path(tmp))
        theirs = Anki(size, Path(tmp))
        for _ in range(10):  # warm both up, untimed
            ours.review()
            theirs.review()
        gc.freeze()  # as wsgi.py does once the app is loaded
        for _ in range(reviews):
            result.rehearse.add(ours.review)
            result.anki.add(theirs.review)
            result.bare.add(ours.bare)
        theirs.close()
    gc.unfreeze()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--reviews", type=int, default=300)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    try:
        import anki  # noqa: F401
    except ImportError:
        raise SystemExit("Anki's backend is missing: pip install '.[bench]'") from None
    os.environ.setdefault("REHEARSE_LOG_LEVEL", "WARNING")
    results = {size: Result() for size in args.sizes}
    for pair in range(args.pairs):
        for size in args.sizes:
            measure(size, args.reviews, results[size])
            print(f"pair {pair + 1}: {size} cards done", flush=True)

    print(
        f"\nPer review (next card + answer), {args.reviews} reviews x {args.pairs} pairs per size"
    )
    print(f"{'day':>6} {'engine':<10} {'median':>8} {'p99':>8} {'CPU':>8}   ratio (median, p99)")
    for size, result in results.items():
        ours, theirs = result.rehearse, result.anki
        for name, times in (("Rehearse", ours), ("Anki", theirs), ("bare", result.bare)):
            ratio = ""
            if name == "Rehearse":
                ratio = f"{ours.median() / theirs.median():.1f}x, {ours.p99() / theirs.p99():.1f}x"
            print(
                f"{size:>6} {name:<10} {times.median():>6.2f}ms {times.p99():>6.2f}ms "
                f"{times.cpu_median():>6.2f}ms   {ratio}"
            )
    small = min(args.sizes)
    print()
    for size in sorted(args.sizes)[1:]:
        grow = results[size].rehearse.median() / results[small].rehearse.median()
        print(f"Rehearse {size} / {small} cards: {grow:.2f}x (target <= 1.2x)")
    for size in args.sizes:
        ratio = results[size].rehearse.median() / results[size].anki.median()
        print(f"Rehearse / Anki at {size}: {ratio:.1f}x (target <= 4x)")


if __name__ == "__main__":
    main()
