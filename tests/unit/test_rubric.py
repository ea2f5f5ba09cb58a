"""Interview prompts and rubrics: what a mock interview on an article asks, and the points a good
spoken answer covers (question_banks/README.md, "Interview rubric")."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from app.domain.banks import Article, Bank, Severity, SourceFile, build_bank, read_sources
from app.domain.banks.rubric import RUBRIC_MAX, SENTENCE_MAX

BANKS = Path(__file__).resolve().parents[2] / "question_banks"


@cache
def shipped() -> Bank:
    return build_bank(read_sources(BANKS))


def article_of(bank: Bank, key: str) -> Article:
    return next(article for article in bank.articles if article.key == key)


def row_keys(bank: Bank, group: str) -> tuple[str, ...]:
    return tuple(q.key for q in bank.questions if q.sibling_group == group)


# --- a shipped article -----------------------------------------------------------------------

PROCESS_VS_THREAD = [
    (
        "one_thing",
        "Threads are cheap to create and to coordinate because they live in one **shared "
        "address space**, and for the same reason a single faulty thread can corrupt or crash "
        "every other thread of its process.",
    ),
    (
        "table",
        "**Address space** — Process: Private virtual memory of its own; "
        "Thread: Shared with its siblings, heap and globals included",
    ),
    (
        "table",
        "**Crash impact** — Process: Usually confined to the one that failed; "
        "Thread: A fatal signal takes down every sibling too",
    ),
    (
        "table",
        "**Creation cost** — Process: Higher: new page tables, copy-on-write setup; "
        "Thread: Lower: new stack and kernel task only",
    ),
    (
        "table",
        "**Context switch** — Process: May change page tables, hurting TLB reuse; "
        "Thread: Same page tables, cheaper to switch",
    ),
    (
        "table",
        "**Communication** — Process: IPC: pipes, sockets, shared memory segments; "
        "Thread: Direct reads and writes of shared heap",
    ),
    (
        "table",
        "**Main hazard** — Process: Serialisation and IPC overhead; "
        "Thread: Data races needing locks or atomics",
    ),
    (
        "table",
        "**Memory per connection** — Pre-fork worker processes: Highest: a separate address "
        "space each; Thread pool in one process: Medium: a dedicated stack each; "
        "Single-threaded event loop: Lowest: a small state object",
    ),
    (
        "table",
        "**Fault containment** — Pre-fork worker processes: A crash is confined; the others "
        "keep serving; Thread pool in one process: A fatal crash takes down every connection; "
        "Single-threaded event loop: A fatal crash takes down every connection",
    ),
    (
        "table",
        "**Shared in-process cache** — Pre-fork worker processes: Not shared without IPC; "
        "Thread pool in one process: Direct access, but guarded by mutexes; "
        "Single-threaded event loop: Plain reads and writes, no mutexes needed",
    ),
    (
        "table",
        "**CPU parallelism** — Pre-fork worker processes: Many cores, each running its own "
        "copy of the server; Thread pool in one process: Many cores within one address space; "
        "Single-threaded event loop: One core unless several copies are run",
    ),
    (
        "table",
        "**Blocking call impact** — Pre-fork worker processes: Blocks just the one request "
        "being served; Thread pool in one process: Blocks just one request; others carry on; "
        "Single-threaded event loop: Stalls every connection it handles",
    ),
    (
        "self_assessment",
        "A fatal signal such as `SIGSEGV` is delivered to the process, and its default action "
        "terminates every thread in it.",
    ),
    (
        "self_assessment",
        "The child initially shares the parent's physical pages, marked copy-on-write, so only "
        "page tables and kernel bookkeeping are copied up front.",
    ),
    (
        "self_assessment",
        "The child gets a copy of only the thread that called `fork()`, but it inherits the "
        "memory of every lock, including the held one.",
    ),
    (
        "self_assessment",
        "Restarting a process returns all of its memory, leaked or fragmented, to the operating "
        "system.",
    ),
]


def test_process_vs_thread_prompt_and_rubric() -> None:
    bank = shipped()
    article = article_of(bank, "process-vs-thread")
    assert article.interview_prompt == (
        "Walk me through the trade-off between Process and Thread: when would you choose each?"
    )
    # The one thing, the eleven quizzed table rows, then the self-assessment answers the cap of
    # 16 leaves room for (4 of the 7).
    assert [(p.source, p.text) for p in article.rubric] == PROCESS_VS_THREAD
    assert len(article.rubric) == RUBRIC_MAX


def test_process_vs_thread_points_name_the_questions_that_test_them() -> None:
    bank = shipped()
    article = article_of(bank, "process-vs-thread")
    stored = {q.key for q in bank.questions}
    for point in article.rubric:
        assert point.question_keys, point.text
        assert set(point.question_keys) <= stored, point.text
    one_thing, *rows = [p for p in article.rubric if p.source != "self_assessment"]
    assert one_thing.question_keys == ("process-vs-thread:one_thing",)
    groups = [
        f"process-vs-thread:table:processes-vs-threads:{slug}"
        for slug in (
            "address-space",
            "crash-impact",
            "creation-cost",
            "context-switch",
            "communication",
            "main-hazard",
        )
    ] + [
        f"process-vs-thread:table:server-concurrency-models:{slug}"
        for slug in (
            "memory-per-connection",
            "fault-containment",
            "shared-in-process-cache",
            "cpu-parallelism",
            "blocking-call-impact",
        )
    ]
    assert [p.question_keys for p in rows] == [row_keys(bank, group) for group in groups]
    assert "process-vs-thread:table:processes-vs-threads:crash-impact:compare" in (
        rows[1].question_keys
    )
    checklist = [p for p in article.rubric if p.source == "self_assessment"]
    assert [p.question_keys for p in checklist] == [
        (f"process-vs-thread:self_assessment:{number}",) for number in (1, 2, 3, 4)
    ]


def test_design_articles_ask_for_the_design() -> None:
    bank = shipped()
    assert article_of(bank, "design-url-shortener").interview_prompt == "Design a URL shortener."
    assert article_of(bank, "design-chat-system").interview_prompt == "Design a real-time chat."
    assert (
        article_of(bank, "design-distributed-cache").interview_prompt
        == "Design a distributed cache."
    )


def test_every_shipped_article_has_a_prompt_and_a_short_rubric_of_stored_questions() -> None:
    bank = shipped()
    stored = {q.key for q in bank.questions}
    for article in bank.articles:
        assert article.interview_prompt, article.key
        assert 0 < len(article.rubric) <= RUBRIC_MAX, article.key
        texts = [p.text for p in article.rubric]
        assert len(texts) == len(set(texts)), article.key
        for point in article.rubric:
            assert "\n" not in point.text and not point.text.endswith(":"), point.text
            assert set(point.question_keys) <= stored, point.text
            if point.source == "self_assessment":
                assert len(point.text) <= SENTENCE_MAX, point.text


# --- the author's prompt and points ----------------------------------------------------------

AUTHORED = """\
---
key: queues
title: Queues
key_tradeoff: Throughput vs Latency
interview_prompt: >-
  When would you put a queue
  between two services?
---
# Queues

## The One Thing to Remember

A queue turns a **traffic spike** into a backlog instead of an outage.

## Interview Rubric

- Names *back-pressure* and what happens when the queue fills
- [ ] Mentions at-least-once delivery and `idempotent` consumers
  - a nested note, not part of the point
- A queue turns a **traffic spike** into a backlog instead of an outage.

## Self-Assessment

- [ ] What does a queue buy you?
  - Time: e.g. Redis or Kafka absorb a spike. The consumers catch up later.
"""


def build_one(text: str, name: str = "a.md") -> Bank:
    return build_bank([SourceFile(f"question_banks/s/{name}", text, f"s/{name}")])


def test_author_prompt_and_rubric_points_come_first() -> None:
    bank = build_one(AUTHORED)
    [article] = bank.articles
    assert bank.problems == ()
    assert article.interview_prompt == "When would you put a queue between two services?"
    assert [(p.source, p.text, p.line) for p in article.rubric] == [
        ("author", "Names *back-pressure* and what happens when the queue fills", 17),
        ("author", "Mentions at-least-once delivery and `idempotent` consumers", 18),
        ("author", "A queue turns a **traffic spike** into a backlog instead of an outage.", 20),
        # The one thing repeats the author's third point word for word: dropped.
        ("self_assessment", "Time: e.g. Redis or Kafka absorb a spike.", 24),
    ]
    assert [p.question_keys for p in article.rubric] == [(), (), (), ("queues:self_assessment:1",)]


def test_a_rubric_section_asks_no_questions() -> None:
    with_rubric = build_one(AUTHORED)
    without = (
        AUTHORED.split("## Interview Rubric")[0]
        + "## Self-Assessment"
        + (AUTHORED.split("## Self-Assessment")[1])
    )
    plain = build_one(without)
    assert [q.key for q in with_rubric.questions] == [q.key for q in plain.questions]
    assert not any("back-pressure" in q.prompt + q.answer for q in with_rubric.questions)
    assert plain.problems == ()


def test_rubric_headings_are_matched_loosely() -> None:
    text = "# Notes\n\n### Rubric\n\n1. Explains the cost\n2. Names the risk\n"
    [article] = build_one(text).articles
    assert [p.text for p in article.rubric] == ["Explains the cost", "Names the risk"]
    text = "# Notes\n\n## Interview rubric:\n\n- Explains the cost\n"
    [article] = build_one(text).articles
    assert [p.source for p in article.rubric] == ["author"]


def test_a_too_long_rubric_point_is_a_warning_on_its_line_and_left_out() -> None:
    long_point = "Explains " + "the cost of a queue " * 20
    text = AUTHORED.replace("- Names *back-pressure*", f"- {long_point}\n- Names *back-pressure*")
    bank = build_one(text)
    [problem] = bank.problems
    assert problem.severity is Severity.WARNING
    assert (problem.path, problem.line) == ("question_banks/s/a.md", 17)
    assert "rubric point is" in problem.message and "at most 300" in problem.message
    [article] = bank.articles
    assert article.rubric[0].text.startswith("Names *back-pressure*")


def test_an_empty_rubric_section_is_a_warning() -> None:
    bank = build_one("# Notes\n\n## Interview Rubric\n\nTo be written.\n\n## Other\n\nText.\n")
    assert [(p.line, p.severity) for p in bank.problems if "Rubric" in p.message] == [
        (3, Severity.WARNING)
    ]


def test_an_over_long_interview_prompt_is_an_error_at_its_field() -> None:
    text = AUTHORED.replace("  When would you put a queue\n", "  " + "Why " * 130 + "\n")
    bank = build_one(text)
    assert [(p.line, p.severity) for p in bank.problems] == [(5, Severity.ERROR)]
    assert "interview_prompt is" in bank.problems[0].message


# --- generated prompts -----------------------------------------------------------------------


def test_prompts_follow_the_title_the_table_or_the_key_tradeoff() -> None:
    design = "---\ntitle: 'Design: API Gateway'\n---\n\n## Self-Assessment\n\n- Q?\n  - A.\n"
    assert build_one(design).articles[0].interview_prompt == "Design an API gateway."
    design = design.replace("API Gateway", "Unique ID Generator")
    assert build_one(design).articles[0].interview_prompt == "Design a unique ID generator."
    tradeoff = AUTHORED.replace("interview_prompt: >-\n", "").replace(
        "  When would you put a queue\n  between two services?\n", ""
    )
    assert build_one(tradeoff).articles[0].interview_prompt == (
        "Walk me through the Throughput vs Latency trade-off in Queues: when would you choose "
        "each side?"
    )
    plain = tradeoff.replace("key_tradeoff: Throughput vs Latency\n", "")
    assert build_one(plain).articles[0].interview_prompt == (
        "Explain Queues as you would in an interview: the trade-offs and when you would choose "
        "each."
    )


TABLE = """\
# Caching

## Trade-off Analysis

<!-- rehearse: skip Notes -->
| Aspect | Write-through | Write-back |
|---|---|---|
| Latency | Waits for the store | Acknowledged from memory |
| Durability | Safe once acknowledged | — |
| Notes | Skipped by the author | Skipped too |
| Example | Trivia | Trivia |
"""


def test_table_rows_skip_blank_cells_and_rows_not_quizzed() -> None:
    bank = build_one(TABLE)
    [article] = bank.articles
    assert article.interview_prompt == (
        "Walk me through the trade-off between Write-through and Write-back: when would you "
        "choose each?"
    )
    assert [p.text for p in article.rubric] == [
        "**Latency** — Write-through: Waits for the store; Write-back: Acknowledged from memory",
        "**Durability** — Write-through: Safe once acknowledged",
    ]
    assert [p.question_keys for p in article.rubric] == [
        ("s-a:table:table-1:latency:compare",),
        ("s-a:table:table-1:durability:compare",),
    ]


def test_long_answers_are_cut_cleanly_at_a_sentence_or_clause() -> None:
    clause = "the consumer keeps a table of processed message IDs, checked in the same transaction"
    answer = f"Because {clause}, so {clause}, and {clause}, which {clause}."
    text = f"# Notes\n\n## Self-Assessment\n\n- [ ] Why?\n  - {answer} Second sentence.\n"
    [point] = build_one(text).articles[0].rubric
    assert len(point.text) <= SENTENCE_MAX
    assert point.text.endswith("\u2026")
    assert not point.text[:-1].endswith((",", " "))


def test_the_cap_keeps_author_points_and_drops_the_last_generated_ones() -> None:
    points = "\n".join(f"- Author point {n}" for n in range(1, 19))
    text = AUTHORED.replace(
        "- Names *back-pressure* and what happens when the queue fills\n", points + "\n"
    )
    [article] = build_one(text).articles
    assert [p.source for p in article.rubric] == ["author"] * 20
