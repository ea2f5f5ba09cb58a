"""The question-quality rules, each with a question that breaks it and one that passes, and the
author's directives that steer them."""

from __future__ import annotations

from app.domain.banks import SourceFile, build_bank
from app.domain.banks.lint import Rule, lint
from app.domain.banks.wording import conspicuously_longest, giveaway, similar


def article(key: str, body: str, front: str = "") -> SourceFile:
    return SourceFile(f"question_banks/s/{key}.md", f"---\nkey: {key}\n{front}---\n\n{body}")


def flags_of(*sources: SourceFile) -> dict[Rule, list[str]]:
    report = lint(list(sources))
    found: dict[Rule, list[str]] = {}
    for flag in report.flags:
        found.setdefault(flag.rule, []).append(flag.key)
    return found


QUIZ = """\
# Quiz

## Questions

### {question} {{#q}}

{choices}

Explanation: Because.
"""


def quiz(question: str, *choices: str, key: str = "quiz") -> SourceFile:
    lines = "\n".join(choices)
    return article(key, QUIZ.format(question=question, choices=lines))


# --- word rules ------------------------------------------------------------------------------


def test_similar_cells_are_equal_contained_or_mostly_shared_words() -> None:
    assert similar("Usually one", "Usually one, able to migrate networks")
    assert similar("Possible (write skew)", "Possible")
    assert similar("Fatal crash takes down all threads", "Fatal crash takes down every connection")
    assert not similar("Per partition", "Per queue, best effort")
    assert not similar("Pull", "Push")
    assert not similar("—", "Yes")


def test_a_word_of_the_answer_in_the_stem_gives_it_away_unless_every_choice_is_named() -> None:
    assert giveaway("Which option has fsync = off?", "fsync = off", ["O_DIRECT", "O_SYNC"])
    assert not giveaway("Which call creates a process?", "fork()", ["exec()", "wait()"])
    # The stem lists every choice: none is favoured.
    assert not giveaway(
        "For ordering, which of Kafka, RabbitMQ or SQS has per partition?",
        "Kafka",
        ["RabbitMQ", "SQS"],
    )
    # Another form of the same word still gives it away ("voted" / "vote").
    assert giveaway("When does a follower grant its vote?", "When it has not voted", ["Never"])


def test_the_right_choice_stands_out_when_much_longer_than_every_wrong_one() -> None:
    assert conspicuously_longest("A long and very specific right answer", ["Short", "Tiny"])
    assert not conspicuously_longest("Right answer", ["Wrong answer", "Other one"])


# --- lint flags, one rule at a time ----------------------------------------------------------


def test_answer_in_stem_is_flagged_and_a_fair_stem_is_not() -> None:
    bad = quiz(
        "Which write mode waits for fsync?",
        "- [x] Write plus fsync",
        "- [ ] Buffered write only",
        "- [ ] Direct I/O write",
    )
    assert flags_of(bad) == {Rule.ANSWER_IN_STEM: ["quiz:authored:q"]}
    good = quiz(
        "Which write mode survives a power cut?",
        "- [x] Write plus fsync",
        "- [ ] Buffered write",
        "- [ ] Direct I/O write",
    )
    assert flags_of(good) == {}


def test_fewer_than_three_choices_is_flagged() -> None:
    two = quiz("Which is durable on return?", "- [x] Write plus fsync", "- [ ] Buffered write")
    assert flags_of(two) == {Rule.FEW_CHOICES: ["quiz:authored:q"]}
    three = quiz(
        "Which is durable on return?",
        "- [x] Write plus fsync",
        "- [ ] Buffered write",
        "- [ ] Write to a socket",
    )
    assert flags_of(three) == {}


def test_a_conspicuously_longest_key_is_flagged() -> None:
    long_key = quiz(
        "Why bound a cache entry's life?",
        "- [x] To cap how long a value left stale by a missed invalidation can live",
        "- [ ] Speed",
        "- [ ] Habit",
    )
    assert flags_of(long_key) == {Rule.KEY_LONGEST: ["quiz:authored:q"]}
    balanced = quiz(
        "Why bound a cache entry's life?",
        "- [x] To cap how long a stale value can live",
        "- [ ] Because expiring keys are read faster",
        "- [ ] Because the cache rejects keys without one",
    )
    assert flags_of(balanced) == {}


def test_a_shared_stem_with_different_answers_is_flagged() -> None:
    body = (
        "# A\n\n## Self-Assessment\n\n- [ ] What does a pool bound?\n  - Connections.\n"
        "- [ ] What does a pool bound?\n  - Concurrency.\n"
    )
    flags = flags_of(article("pool", body))
    assert flags == {Rule.SHARED_STEM: ["pool:self_assessment:1", "pool:self_assessment:2"]}
    same_answer = body.replace("Concurrency.", "Connections.").replace("- [ ] What", "- [ ] Why", 1)
    assert flags_of(article("pool", same_answer)) == {}


TABLE = """\
# {title}

## Trade-off Analysis

### Caches

| Aspect | Redis | Memcached | Local map |
|---|---|---|---|
| Persistence | Snapshots and an append-only file | {memcached} | Lost on restart |
| Data types | Strings, hashes, sets, streams | Strings only | Whatever the language has |
"""


def test_the_same_table_row_in_two_articles_is_asked_once_and_flagged() -> None:
    first = article("one", TABLE.format(title="One", memcached="None"))
    second = article("two", TABLE.format(title="Two", memcached="None"))
    bank = build_bank([first, second])
    assert not [q for q in bank.questions if q.article_key == "two" and ":table:" in q.key]
    duplicate = [p for p in bank.warnings if "duplicates question_banks/s/one.md" in p.message]
    assert duplicate and all(p.path == "question_banks/s/two.md" for p in duplicate)
    assert set(flags_of(first, second)) == {Rule.DUPLICATE}
    # A row that differs is a question of its own in each article.
    other = article("two", TABLE.format(title="Two", memcached="Never persisted"))
    keys = {q.key for q in build_bank([first, other]).questions}
    assert "two:table:caches:persistence:which:local-map" in keys
    assert "two:table:caches:data-types:which:redis" not in keys  # the same row as in one


def test_a_cell_that_fits_two_options_is_not_asked_and_lint_would_flag_one() -> None:
    text = TABLE.format(title="One", memcached="Snapshots only")
    bank = build_bank([article("one", text)])
    keys = {q.key for q in bank.questions}
    # "Snapshots only" reads like Redis's "Snapshots and an append-only file": neither is asked.
    assert "one:table:caches:persistence:which:redis" not in keys
    assert "one:table:caches:persistence:which:memcached" not in keys
    assert "one:table:caches:persistence:which:local-map" in keys
    assert flags_of(article("one", text)) == {}


# --- directives ------------------------------------------------------------------------------

TRIVIA = """\
# T

## Trade-off Analysis

{directive}

| Aspect | Kafka | RabbitMQ | SQS |
|---|---|---|---|
| Ordering | Per partition | Per queue | Best effort |
| Example | Clickstream at LinkedIn | Task queues at a bank | Order events at a shop |
| Delivery | Pull by consumers | Pushed to consumers | Long-polled by consumers |
"""


def aspects_asked(directive: str) -> set[str]:
    bank = build_bank([article("t", TRIVIA.format(directive=directive))])
    return {q.key.split(":")[3] for q in bank.questions if ":table:" in q.key}


def test_trivia_rows_are_not_asked_unless_the_author_asks() -> None:
    assert aspects_asked("") == {"ordering", "delivery"}
    assert aspects_asked("<!-- rehearse: ask Example -->") == {"ordering", "example", "delivery"}


def test_an_author_can_skip_a_row_or_a_whole_table() -> None:
    assert aspects_asked("<!-- rehearse: skip Delivery -->") == {"ordering"}
    assert aspects_asked("<!-- rehearse: skip -->") == set()


def test_an_unknown_directive_is_a_warning_with_its_line() -> None:
    bank = build_bank([article("t", TRIVIA.format(directive="<!-- rehearse: quiz-all -->"))])
    assert [(p.line, p.message.split(";")[0]) for p in bank.warnings] == [
        (9, "unknown directive 'rehearse: quiz-all'")
    ]


def test_keep_order_pins_an_authored_question_and_others_are_shuffled() -> None:
    choices = ["- [ ] Fsync", "- [ ] Direct I/O", "- [ ] Both", "- [x] All of the above"]
    pinned = quiz("Which make a write durable? <!-- rehearse: keep-order -->", *choices)
    body = pinned.text.replace(" <!-- rehearse: keep-order -->", "").replace(
        "\n- [ ] Fsync", "<!-- rehearse: keep-order -->\n\n- [ ] Fsync"
    )
    [question] = build_bank([SourceFile(pinned.path, body)]).questions
    assert question.fixed_order
    assert question.choices == ("Fsync", "Direct I/O", "Both", "All of the above")
    assert question.correct == 3
    orders = set()
    for n in range(12):
        [free] = build_bank([quiz("Which make a write durable?", *choices, key=f"q{n}")]).questions
        assert not free.fixed_order
        orders.add(free.correct)
    assert len(orders) > 1  # stored orders differ from question to question


def test_accept_adds_answers_to_a_cloze() -> None:
    body = (
        "# C\n\n## The One Thing to Remember\n\nForked children share pages until one of them "
        "changes a page: **copy-on-write**.\n\n<!-- rehearse: accept COW; copy on write -->\n"
    )
    [card] = build_bank([article("c", body)]).questions
    assert card.cloze_answer == "copy-on-write"
    assert card.accepted == ("COW", "copy on write")


def test_a_cloze_whose_answer_stands_elsewhere_in_the_sentence_blanks_another_phrase() -> None:
    body = (
        "# C\n\n## The One Thing to Remember\n\nThreads **share memory**, and that sharing is "
        "why one bad thread **crashes them all**.\n"
    )
    [card] = build_bank([article("c", body)]).questions
    assert card.cloze_answer == "crashes them all"
    lonely = body.replace("**crashes them all**", "crashes them all")
    [recall] = build_bank([article("c", lonely)]).questions
    assert recall.cloze_answer is None
    assert recall.prompt == "What is the one thing to remember about C?"
