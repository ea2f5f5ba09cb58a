"""Trade-off tables: orientation, cell conversion, missing and ragged rows, identity."""

from __future__ import annotations

from pathlib import Path

from app.domain.banks import Bank, QuestionSpec, Severity, SourceFile, build_bank, parse_article
from app.domain.banks.tables import count_cells

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "banks"


def load(relative: str) -> SourceFile:
    return SourceFile(f"question_banks/{relative}", (FIXTURES / relative).read_text("utf-8"))


def questions(bank: Bank, kind: str | None = None) -> dict[str, QuestionSpec]:
    return {q.key: q for q in bank.questions if kind is None or q.kind == kind}


def test_options_as_columns() -> None:
    parsed, problems = parse_article(load("shapes/options-as-columns.md"))
    assert problems == []
    [table] = parsed.tables
    assert table.orientation == "columns"
    assert table.caption == "L4 vs L7"
    assert [o.markdown for o in table.options] == ["L4", "L7"]
    assert [a.plain for a in table.aspects] == [
        "Routes on",
        "TLS",
        "Cost per request",
        "Health checks",
    ]

    bank = build_bank([load("shapes/options-as-columns.md")])
    # Two options: a "which" would be a coin flip, so each cell is asked as "which of these is
    # true of L7, not L4?" among the other option's cells in other rows.
    assert questions(bank, "table_which") == {}
    side = questions(bank, "table_side")
    card = side["load-balancers:table:l4-vs-l7:tls:which:l7"]
    assert card.prompt == "Which of these is true of *L7*, not *L4*?"
    assert card.choices[card.correct or 0] == "**TLS:** Terminated at the balancer"
    assert "**TLS:** Passed through" not in card.choices  # no second choice under one label
    assert sorted(card.choices) == [
        "**Cost per request:** Low",
        "**Health checks:** TCP connect",
        "**Routes on:** IP address and port",
        "**TLS:** Terminated at the balancer",
    ]
    assert "TLS" in card.answer and "Terminated at the balancer" in card.answer
    assert card.sibling_group == "load-balancers:table:l4-vs-l7:tls"
    assert card.line == 15
    # "URL path, headers, cookies" is far longer than any L4 cell of another row: asked as the
    # right choice, "pick the longest" would find it, so that one question is left out.
    assert "load-balancers:table:l4-vs-l7:routes-on:which:l7" not in side
    assert len(side) == 7

    compare = questions(bank, "table_compare")
    card = compare["load-balancers:table:l4-vs-l7:tls:compare"]
    assert card.prompt == "Compare *L4* and *L7* on *TLS*"
    assert card.answer == "TLS:\n\n- **L4**: Passed through\n- **L7**: Terminated at the balancer"
    assert card.choices == () and card.correct is None
    assert card.sibling_group == "load-balancers:table:l4-vs-l7:tls"


def test_options_as_rows() -> None:
    parsed, _ = parse_article(load("shapes/options-as-rows.md"))
    [table] = parsed.tables
    assert table.orientation == "rows"
    assert [o.plain for o in table.options] == [
        "Read uncommitted",
        "Read committed",
        "Repeatable read",
        "Serializable",
    ]
    assert [a.slug for a in table.aspects] == ["dirty-read", "non-repeatable-read", "phantom-read"]

    bank = build_bank([load("shapes/options-as-rows.md")])
    which = questions(bank, "table_which")
    # Only cells that tell their option apart from every other option's cell become questions.
    assert set(which) == {
        "isolation-levels:table:anomalies-by-isolation-level:dirty-read:which:read-uncommitted",
        "isolation-levels:table:anomalies-by-isolation-level:phantom-read:which:serializable",
    }
    serializable = which[
        "isolation-levels:table:anomalies-by-isolation-level:phantom-read:which:serializable"
    ]
    assert serializable.prompt == "Which isolation level has *Prevented* for phantom read?"
    assert serializable.choices[serializable.correct or 0] == "Serializable"
    assert serializable.line == 17
    compare = questions(bank, "table_compare")
    assert len(compare) == 3
    card = compare["isolation-levels:table:anomalies-by-isolation-level:dirty-read:compare"]
    assert card.prompt == (
        "Compare *Read uncommitted*, *Read committed*, *Repeatable read* and *Serializable* "
        "on *Dirty read*"
    )


def test_shorter_side_is_taken_as_options_when_the_corner_says_neither() -> None:
    text = (
        "# T\n\n## Comparison\n\n| Thing | Redis | Memcached |\n|---|---|---|\n"
        "| Persistence | Optional | None |\n| Data types | Many | Strings |\n"
        "| Threads | Mostly one | Many |\n"
    )
    parsed, _ = parse_article(SourceFile("t.md", text))
    assert parsed.tables[0].orientation == "columns"
    wide = (
        "# T\n\n## Comparison\n\n| Thing | Latency | Cost | Durability |\n|---|---|---|---|\n"
        "| Redis | Low | High | Optional |\n| Postgres | Higher | Lower | Yes |\n"
    )
    parsed, _ = parse_article(SourceFile("t.md", wide))
    table = parsed.tables[0]
    assert table.orientation == "rows"
    assert [o.plain for o in table.options] == ["Redis", "Postgres"]


def test_cells_become_clean_inline_markdown() -> None:
    bank = build_bank([load("shapes/rich-cells.md")])
    assert bank.errors == ()
    compare = questions(bank, "table_compare")
    api = compare["rich-cells:table:i-o-multiplexing:api:compare"]
    assert api.answer == (
        "API:\n\n- **`select`**: `select(nfds, &r, &w, &e, &t)`\n"
        "- **`epoll`**: `epoll_wait(epfd, events, n, t)`"
    )
    scaling = compare["rich-cells:table:i-o-multiplexing:scaling:compare"]
    # <br> is a hard break, indented so it stays inside the list item.
    assert "- **`select`**: **O(n)** per call\\\n  scans every fd" in scaling.answer
    assert "<br>" not in scaling.answer
    docs = compare["rich-cells:table:i-o-multiplexing:docs:compare"]
    assert "[man epoll](https://man7.org/linux/man-pages/man7/epoll.7.html)" in docs.answer
    pipes = compare["rich-cells:table:i-o-multiplexing:shell-use:compare"]
    assert "`a | b` pipes" in pipes.answer  # the escaped pipe is unescaped, the cell not split
    assert "`x || y`" in pipes.answer
    side = questions(bank, "table_side")
    limit = side["rich-cells:table:i-o-multiplexing:limit:which:select"]
    assert limit.choices[limit.correct or 0] == "**Limit:** 1024 fds (`FD_SETSIZE`)"
    # A cell that names its own option ("`select(…)`" for select) is never the asked one.
    assert "rich-cells:table:i-o-multiplexing:api:which:select" not in side


def test_plain_text_special_characters_are_escaped() -> None:
    text = (
        "# T\n\n## Trade-offs\n\n| Aspect | A | B | C |\n|---|---|---|---|\n"
        "| Cost | 2 <b>x</b> 3 \\* 4 | under_score _x_ | plain |\n"
    )
    bank = build_bank([SourceFile("t.md", text)])
    cards = questions(bank, "table_which")
    assert cards["t:table:table-1:cost:which:a"].prompt == (
        "Cost: *2 **x** 3 \\* 4*. Which of A, B or C is this?"
    )
    assert cards["t:table:table-1:cost:which:b"].prompt == (
        "Which of A, B or C has *under_score *x** for cost?"
    )


def test_rows_with_missing_cells_warn_and_leave_the_cells_out() -> None:
    bank = build_bank([load("shapes/missing-cells.md")])
    assert bank.errors == ()
    assert [(p.line, p.severity) for p in bank.warnings] == [(15, Severity.WARNING)]
    assert bank.warnings[0].message == (
        "row 'Replay' has 3 cells, header has 4; the missing cells are left out of the questions"
    )
    which = questions(bank, "table_which")
    # SQS's replay cell is missing, so SQS might replay too: it is no fair wrong choice, and
    # Kafka's replay question would be left with two choices, a coin flip: not asked.
    assert not [key for key in which if ":replay:" in key]
    replay = questions(bank, "table_compare")["missing-cells:table:queues:replay:compare"]
    assert replay.prompt == "Compare *Kafka* and *RabbitMQ* on *Replay*"
    assert "SQS" not in replay.answer
    # Dash cells are neither asked nor wrong choices; equal cells are not asked.
    assert not [key for key in which if ":managed:" in key]
    assert "missing-cells:table:queues:push-or-pull:which:kafka" not in which
    push = which["missing-cells:table:queues:push-or-pull:which:rabbitmq"]
    assert push.prompt == "Which of Kafka, RabbitMQ or SQS has *Push* for push or pull?"
    assert sorted(push.choices) == ["Kafka", "RabbitMQ", "SQS"]
    assert "missing-cells:table:queues:protocol:which:rabbitmq" not in which
    protocol = which["missing-cells:table:queues:protocol:which:kafka"]
    assert protocol.choices[protocol.correct or 0] == "Kafka"


def test_ragged_and_undersized_tables_are_warnings_that_block_nothing() -> None:
    bank = build_bank([load("malformed/ragged-table.md")])
    assert bank.errors == ()
    warnings = [(p.line, p.message) for p in bank.warnings]
    assert (
        14,
        "row 'Too many' has 4 cells, header has 3; the extra cells are left out of the questions",
    ) in warnings
    assert (
        15,
        "row 'Too few' has 2 cells, header has 3; the missing cells are left out of the questions",
    ) in warnings
    assert (
        21,
        "table 'Lonely' needs at least 2 options and 1 aspect to become questions; "
        "found 1 option(s) as columns and 1 aspect(s)",
    ) in warnings
    # Two rows labelled "Fine" would give the same question keys: the second is left out.
    clashes = [m for line, m in warnings if line == 17 and m.startswith("two questions")]
    assert len(clashes) == 3
    assert "'ragged-table:table:ragged:fine:compare'" in " ".join(clashes)
    keys = [q.key for q in bank.questions]
    assert len(keys) == len(set(keys))
    assert "ragged-table:table:lonely:speed:compare" not in keys
    assert [q.position for q in bank.questions] == list(range(len(keys)))  # no gaps


def test_count_cells_matches_gfm_splitting() -> None:
    assert count_cells("| a | b | c |") == 3
    assert count_cells("a | b") == 2
    assert count_cells("| `x \\| y` | b |") == 2
    assert count_cells("| a | | c |") == 3
    assert count_cells("> | a | b |") == 2


def test_table_without_caption_is_numbered() -> None:
    text = (
        "# T\n\n## Trade-off Analysis\n\n| Aspect | A | B |\n|---|---|---|\n| X | 1 | 2 |\n\n"
        "### Named\n\n| Aspect | A | B |\n|---|---|---|\n| X | 1 | 2 |\n"
    )
    parsed, _ = parse_article(SourceFile("t.md", text))
    assert [(t.caption, t.caption_slug) for t in parsed.tables] == [
        ("table-1", "table-1"),
        ("Named", "named"),
    ]


def test_table_outside_the_tradeoff_section_is_read_with_its_heading_as_caption() -> None:
    text = "# T\n\n## Data\n\n| Aspect | A | B |\n|---|---|---|\n| X | 1 | 2 |\n"
    bank = build_bank([SourceFile("t.md", text)])
    assert [q.key for q in bank.questions] == ["t:table:data:x:compare"]


def test_identity_survives_rewording_cells_but_not_renaming_the_caption() -> None:
    source = load("corpus/question_banks/demo-series/01-process-vs-thread.md")
    original = questions(build_bank([source]))
    reworded = SourceFile(
        source.path,
        source.text.replace("Own virtual address space", "A private virtual address space").replace(
            "Confined to the one process", "Stays inside that process"
        ),
    )
    after = questions(build_bank([reworded]))
    assert set(after) == set(original)
    # The reworded cell changes the row's compare question: new wording, same key.
    key = "process-vs-thread:table:processes-vs-threads:memory:compare"
    assert "A private virtual address space" in after[key].answer
    assert after[key].content_hash != original[key].content_hash
    untouched = "process-vs-thread:table:processes-vs-threads:creation-cost:compare"
    assert after[untouched].content_hash == original[untouched].content_hash

    renamed = SourceFile(
        source.path, source.text.replace("### Processes vs threads", "### Process or thread")
    )
    renamed_keys = {k for k in questions(build_bank([renamed])) if ":table:" in k}
    original_table_keys = {k for k in original if ":table:" in k}
    assert renamed_keys.isdisjoint(original_table_keys)
    assert "process-vs-thread:table:process-or-thread:memory:compare" in renamed_keys
    assert len(renamed_keys) == len(original_table_keys)


def test_moving_a_row_keeps_its_key() -> None:
    source = load("shapes/options-as-columns.md")
    lines = source.text.split("\n")
    first_row = lines.index("| Routes on | IP address and port | URL path, headers, cookies |")
    moved = lines[:first_row] + lines[first_row + 1 :]
    moved.insert(len(moved) - 1, lines[first_row])
    before = questions(build_bank([source]))
    after = questions(build_bank([SourceFile(source.path, "\n".join(moved))]))
    key = "load-balancers:table:l4-vs-l7:routes-on:compare"
    assert after[key].line != before[key].line
    assert set(after) == set(before)
    assert after[key].prompt == before[key].prompt
