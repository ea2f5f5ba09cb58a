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
    which = questions(bank, "table_which")
    card = which["load-balancers:table:l4-vs-l7:routes-on:which:l7"]
    assert card.prompt == "Which option has: *URL path, headers, cookies* (Routes on)?"
    assert card.choices == ("L4", "L7")
    assert card.correct == 1
    assert "Routes on" in card.answer and "URL path, headers, cookies" in card.answer
    assert card.sibling_group == "load-balancers:table:l4-vs-l7:routes-on"
    assert card.line == 14
    assert len(which) == 8  # 4 aspects x 2 options, every cell distinct

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
    assert serializable.prompt == "Which option has: *Prevented* (Phantom read)?"
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
    which = questions(bank, "table_which")
    api = which["rich-cells:table:i-o-multiplexing:api:which:select"]
    assert api.choices == ("`select`", "`epoll`")
    assert api.prompt == "Which option has: *`select(nfds, &r, &w, &e, &t)`* (API)?"
    scaling = which["rich-cells:table:i-o-multiplexing:scaling:which:select"]
    assert "**O(n)** per call\\\nscans every fd" in scaling.prompt  # <br> is a hard break
    assert "<br>" not in scaling.prompt
    docs = which["rich-cells:table:i-o-multiplexing:docs:which:epoll"]
    assert "[man epoll](https://man7.org/linux/man-pages/man7/epoll.7.html)" in docs.prompt
    pipes = which["rich-cells:table:i-o-multiplexing:shell-use:which:select"]
    assert "`a | b` pipes" in pipes.prompt  # the escaped pipe is unescaped, the cell not split
    double = which["rich-cells:table:i-o-multiplexing:shell-use:which:epoll"]
    assert "`x || y`" in double.prompt
    limit = which["rich-cells:table:i-o-multiplexing:limit:which:select"]
    assert "1024 fds (`FD_SETSIZE`)" in limit.prompt
    compare = questions(bank, "table_compare")["rich-cells:table:i-o-multiplexing:scaling:compare"]
    # A hard break inside a list item is indented so it stays inside the item.
    assert "- **`select`**: **O(n)** per call\\\n  scans every fd" in compare.answer


def test_plain_text_special_characters_are_escaped() -> None:
    text = (
        "# T\n\n## Trade-offs\n\n| Aspect | A | B |\n|---|---|---|\n"
        "| Cost | 2 <b>x</b> 3 \\* 4 | under_score _x_ |\n"
    )
    bank = build_bank([SourceFile("t.md", text)])
    cards = questions(bank, "table_which")
    assert (
        cards["t:table:table-1:cost:which:a"].prompt
        == "Which option has: *2 **x** 3 \\* 4* (Cost)?"
    )
    assert cards["t:table:table-1:cost:which:b"].prompt == (
        "Which option has: *under_score *x** (Cost)?"
    )


def test_rows_with_missing_cells_warn_and_leave_the_cells_out() -> None:
    bank = build_bank([load("shapes/missing-cells.md")])
    assert bank.errors == ()
    assert [(p.line, p.severity) for p in bank.warnings] == [(15, Severity.WARNING)]
    assert bank.warnings[0].message == (
        "row 'Replay' has 3 cells, header has 4; the missing cells are left out of the questions"
    )
    which = questions(bank, "table_which")
    assert "missing-cells:table:queues:replay:which:sqs" not in which
    assert "missing-cells:table:queues:replay:which:kafka" in which
    # The options are still all three, even where a cell is missing.
    assert which["missing-cells:table:queues:replay:which:kafka"].choices == (
        "Kafka",
        "RabbitMQ",
        "SQS",
    )
    replay = questions(bank, "table_compare")["missing-cells:table:queues:replay:compare"]
    assert replay.prompt == "Compare *Kafka* and *RabbitMQ* on *Replay*"
    assert "SQS" not in replay.answer
    # Dash cells yield no "which" question, and equal cells do not either.
    assert "missing-cells:table:queues:managed:which:kafka" not in which
    assert "missing-cells:table:queues:managed:which:sqs" in which
    assert "missing-cells:table:queues:push-or-pull:which:kafka" not in which
    assert "missing-cells:table:queues:push-or-pull:which:rabbitmq" in which
    assert "missing-cells:table:queues:protocol:which:rabbitmq" not in which


def test_ragged_and_undersized_tables_are_errors() -> None:
    bank = build_bank([load("malformed/ragged-table.md")])
    errors = [(p.line, p.message) for p in bank.errors]
    assert (14, "row 'Too many' has 4 cells, header has 3") in errors
    assert (
        21,
        "trade-off table 'Lonely' needs at least 2 options and 1 aspect; "
        "found 1 option(s) as columns and 1 aspect(s)",
    ) in errors
    # Two rows labelled "Fine" would give the same question keys.
    duplicates = [m for line, m in errors if line == 17 and m.startswith("duplicate question key")]
    assert len(duplicates) == 3
    assert "'ragged-table:table:ragged:fine:compare'" in " ".join(duplicates)
    warnings = [(p.line, p.message) for p in bank.warnings]
    assert warnings == [
        (
            15,
            "row 'Too few' has 2 cells, header has 3; "
            "the missing cells are left out of the questions",
        )
    ]
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


def test_table_outside_the_tradeoff_section_is_ignored() -> None:
    text = "# T\n\n## Data\n\n| Aspect | A | B |\n|---|---|---|\n| X | 1 | 2 |\n"
    bank = build_bank([SourceFile("t.md", text)])
    assert bank.questions == ()


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
    key = "process-vs-thread:table:processes-vs-threads:memory:which:process"
    assert after[key].prompt != original[key].prompt
    assert after[key].content_hash != original[key].content_hash
    untouched = "process-vs-thread:table:processes-vs-threads:creation-cost:which:thread"
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
