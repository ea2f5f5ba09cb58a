"""parse_article / build_bank on single articles: front matter, sections, checklists, quizzes."""

from __future__ import annotations

from pathlib import Path

from app.domain.banks import Bank, QuestionSpec, Severity, SourceFile, build_bank, parse_article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "banks"


def load(relative: str) -> SourceFile:
    return SourceFile(f"question_banks/{relative}", (FIXTURES / relative).read_text("utf-8"))


def bank_of(relative: str) -> Bank:
    return build_bank([load(relative)])


def by_key(bank: Bank) -> dict[str, QuestionSpec]:
    return {q.key: q for q in bank.questions}


def messages(bank: Bank) -> list[str]:
    return [str(p) for p in bank.problems]


# --- front matter --------------------------------------------------------------------------------


def test_front_matter_fields_are_read() -> None:
    parsed, problems = parse_article(
        load("corpus/question_banks/demo-series/01-process-vs-thread.md")
    )
    article = parsed.article
    assert problems == []
    assert article.key == "process-vs-thread"
    assert article.title == "Process vs Thread"
    assert (article.series, article.part, article.part_title, article.order) == (
        "demo-series",
        1,
        "OS Foundations",
        1,
    )
    assert article.difficulty == "beginner"
    assert article.read_minutes == 10
    assert article.key_tradeoff == "Isolation vs Efficiency"
    assert article.tags == ("os", "concurrency")
    assert article.aliases == ("processes-and-threads",)
    assert article.body.startswith("\n# Process vs Thread")
    assert "key: process-vs-thread" not in article.body
    assert len(article.content_hash) == 64


def test_content_hash_follows_the_file_text() -> None:
    source = load("corpus/question_banks/demo-series/02-fsync.md")
    first, _ = parse_article(source)
    same, _ = parse_article(SourceFile(source.path, source.text))
    changed, _ = parse_article(SourceFile(source.path, source.text + "\nMore.\n"))
    assert first.article.content_hash == same.article.content_hash
    assert first.article.content_hash != changed.article.content_hash


def test_file_without_front_matter_takes_key_from_name_and_title_from_heading() -> None:
    parsed, problems = parse_article(load("shapes/07-plain-notes.md"))
    assert parsed.article.key == "plain-notes"
    assert parsed.article.title == "Notes on Connection Pools"
    assert parsed.article.difficulty == "intermediate"
    assert [p for p in problems if p.severity is Severity.ERROR] == []
    bank = build_bank([load("shapes/07-plain-notes.md")])
    keys = set(by_key(bank))
    assert keys == {"plain-notes:one_thing", "plain-notes:self_assessment:1"}


def test_title_falls_back_to_file_name_without_any_heading() -> None:
    parsed, _ = parse_article(SourceFile("notes/03-write_ahead-log.md", "Just a paragraph.\n"))
    assert parsed.article.key == "write-ahead-log"
    assert parsed.article.title == "Write ahead log"


def test_bad_yaml_is_reported_on_its_line_and_the_body_is_still_read() -> None:
    bank = bank_of("malformed/bad-yaml.md")
    # The wording comes from PyYAML (it differs slightly with and without libyaml).
    [error] = bank.errors
    assert str(error).startswith(
        "question_banks/malformed/bad-yaml.md:5: bad YAML in front matter:"
    )
    assert error.message.endswith("(while parsing a flow sequence that starts on line 4)")
    assert "bad-yaml:self_assessment:1" in by_key(bank)


def test_unclosed_front_matter_is_an_error() -> None:
    parsed, problems = parse_article(SourceFile("x.md", "---\nkey: x\n\n# Title\n"))
    assert [(p.line, p.severity) for p in problems] == [(1, Severity.ERROR)]
    assert "never closed" in problems[0].message
    assert parsed.article.key == "x"


def test_front_matter_type_errors_name_the_field_and_its_line() -> None:
    bank = bank_of("malformed/bad-types.md")
    found = {(p.line, p.severity, p.message) for p in bank.problems}
    assert (
        2,
        Severity.ERROR,
        "invalid key 'Bad_Key': use lowercase letters, digits and hyphens",
    ) in found
    assert (4, Severity.ERROR, "read_minutes must be a whole number, not 'ten'") in found
    assert (5, Severity.ERROR, "part must be a whole number, not '1.5'") in found
    assert any(line == 6 and "difficulty must be one of" in m for line, _, m in found)
    assert (7, Severity.ERROR, "tags must be a list of text, not a mapping") in found
    assert any(line == 8 and "invalid alias 'Not A Key'" in m for line, _, m in found)
    assert any(line == 9 and "key_tradeoff must read 'A vs B'" in m for line, _, m in found)
    assert (10, Severity.WARNING, "unknown front-matter field 'colour' is ignored") in found
    # The article is still read, under its file name's key, so other problems show up too.
    assert [a.key for a in bank.articles] == ["bad-types"]


def test_boolean_is_not_a_whole_number() -> None:
    text = "---\nread_minutes: true\n---\n# T\n"
    _, problems = parse_article(SourceFile("t.md", text))
    assert [(p.line, p.message) for p in problems] == [
        (2, "read_minutes must be a whole number, not true (true/false)")
    ]


def test_field_given_twice_is_reported() -> None:
    text = "---\ntitle: A\ntitle: B\n---\n# T\n"
    _, problems = parse_article(SourceFile("t.md", text))
    assert [(p.line, p.message) for p in problems] == [
        (3, "field 'title' is given twice (first on line 2)")
    ]


def test_problem_string_format() -> None:
    bank = bank_of("malformed/bad-types.md")
    rendered = messages(bank)
    assert (
        "question_banks/malformed/bad-types.md:4: read_minutes must be a whole number, not 'ten'"
        in rendered
    )
    assert (
        "question_banks/malformed/bad-types.md:10: warning: unknown front-matter field 'colour' "
        "is ignored" in rendered
    )


# --- sections ------------------------------------------------------------------------------------


def test_loosely_matched_headings_are_recognised() -> None:
    parsed, problems = parse_article(load("shapes/loose-headings.md"))
    assert problems == []
    assert [t.caption for t in parsed.tables] == ["table-1", "Locks"]
    assert parsed.one_thing is not None
    assert parsed.one_thing.text.startswith("Keep **one writer**")
    assert [item.question for item in parsed.checklist] == [
        "Why does a single writer avoid conflicts?"
    ]
    assert [q.ident for q in parsed.authored] == ["1"]
    assert parsed.authored[0].correct == 1  # "[X]" counts as checked
    assert parsed.authored[0].explanation == (
        "optimistic locking checks a version at commit and retries."
    )


def test_section_ends_at_a_heading_of_the_same_level() -> None:
    text = (
        "# T\n\n## Self-Assessment\n\n- [ ] Q1?\n  - A1.\n\n## Other\n\n"
        "- [ ] Not a question?\n  - Not an answer.\n"
    )
    parsed, _ = parse_article(SourceFile("t.md", text))
    assert [item.question for item in parsed.checklist] == ["Q1?"]


def test_prose_only_article_is_a_warning_not_an_error() -> None:
    bank = bank_of("shapes/prose-only.md")
    assert bank.errors == ()
    assert bank.questions == ()
    assert [(p.line, p.severity) for p in bank.warnings] == [(1, Severity.WARNING)]
    assert "no questions found" in bank.warnings[0].message
    assert [a.key for a in bank.articles] == ["prose-only"]


def test_empty_file_does_not_crash() -> None:
    bank = build_bank([SourceFile("question_banks/empty.md", "")])
    assert bank.errors == ()
    assert [a.title for a in bank.articles] == ["Empty"]


# --- one thing to remember -----------------------------------------------------------------------


def test_one_thing_with_bold_is_a_cloze() -> None:
    questions = by_key(bank_of("corpus/question_banks/demo-series/01-process-vs-thread.md"))
    card = questions["process-vs-thread:one_thing"]
    assert card.kind == "one_thing"
    assert card.cloze_answer == "Isolation"
    assert card.prompt.startswith("A process owns its memory; a thread shares it. _____ costs")
    assert "**Isolation**" in card.answer
    assert card.line == 21


def test_one_thing_without_bold_is_free_recall() -> None:
    questions = by_key(bank_of("corpus/question_banks/demo-series/02-fsync.md"))
    card = questions["fsync:one_thing"]
    assert card.cloze_answer is None
    assert card.prompt == "What is the one thing to remember about fsync()?"
    assert card.answer.startswith("A write is only durable once `fsync()` returns")


def test_bold_inside_code_is_not_a_cloze() -> None:
    text = "# T\n\n## TL;DR\n\nUse `**kwargs` to pass **named arguments** on.\n"
    card = build_bank([SourceFile("t.md", text)]).questions[0]
    assert card.cloze_answer == "named arguments"
    assert card.prompt == "Use `**kwargs` to pass _____ on."


def test_one_thing_from_a_blockquote() -> None:
    text = "# T\n\n## The One Thing to Remember\n\n> Caches trade **freshness** for speed.\n"
    card = build_bank([SourceFile("t.md", text)]).questions[0]
    assert card.cloze_answer == "freshness"
    assert card.line == 5


# --- self-assessment -----------------------------------------------------------------------------


def test_checklist_answers_keep_nested_bullets_paragraphs_and_code() -> None:
    bank = bank_of("shapes/checklist-nested.md")
    assert bank.errors == ()
    items = {q.key: q for q in bank.questions}
    two_bullets = items["checklist-nested:self_assessment:1"]
    assert two_bullets.prompt == "What does TIME_WAIT protect against?"
    assert two_bullets.answer == (
        "- Delayed segments of an old connection being taken for part of a new one with the same\n"
        "  four-tuple.\n"
        "- It also lets the last ACK be retransmitted if it was lost."
    )
    paragraphs = items["checklist-nested:self_assessment:2"]
    assert paragraphs.answer.startswith(
        "The data is only in the kernel's page cache.\n\nIt reaches"
    )
    assert "```\nfd = open(path, O_WRONLY)\nwrite(fd, buf, n)\nfsync(fd)\n```" in paragraphs.answer
    single_bullet = items["checklist-nested:self_assessment:3"]
    assert single_bullet.answer == (
        "One lost TCP segment stalls **every** stream on the connection until it is\n"
        "retransmitted, because TCP delivers bytes strictly in order.\n\n"
        "HTTP/3 avoids this by running streams over QUIC."
    )
    same_paragraph = items["checklist-nested:self_assessment:4"]
    assert same_paragraph.prompt == "Why use a connection pool?"
    assert same_paragraph.answer == "Opening a connection costs a handshake and server memory."
    assert [q.line for q in bank.questions] == [10, 14, 25, 30]
    assert all(q.kind == "self_assessment" and q.choices == () for q in bank.questions)


def test_checklist_item_without_answer_is_a_warning_and_left_out() -> None:
    bank = bank_of("malformed/two-correct.md")
    warnings = [(p.line, p.message) for p in bank.warnings]
    assert (
        10,
        "self-assessment item has no answer, so it is left out: nest the answer under the item "
        "(an indented bullet or paragraph)",
    ) in warnings
    assert 10 not in [p.line for p in bank.errors]
    # Numbering is by position, so the second item keeps number 2.
    assert "two-correct:self_assessment:2" in by_key(bank)
    assert "two-correct:self_assessment:1" not in by_key(bank)


def test_plain_list_counts_when_no_item_has_a_checkbox() -> None:
    parsed, _ = parse_article(load("shapes/07-plain-notes.md"))
    assert [(i.number, i.question, i.answer) for i in parsed.checklist] == [
        (
            1,
            "What happens when every connection in the pool is busy?",
            "New requests wait for a free connection or time out.",
        )
    ]


# --- authored questions --------------------------------------------------------------------------


def test_authored_questions_with_ids_code_and_explanations() -> None:
    bank = bank_of("shapes/authored.md")
    assert bank.errors == ()
    first, second = bank.questions
    assert first.key == "authored-shapes:authored:print-order"
    assert first.prompt == "What does this print?\n\n```python\nprint(sorted([3, 1, 2]))\n```"
    # Stored in an order seeded by the key, so the right one is not always where it was written.
    assert sorted(first.choices) == sorted(("`[3, 1, 2]`", "`[1, 2, 3]`", "`None`"))
    assert first.choices[first.correct or 0] == "`[1, 2, 3]`"
    assert first.answer == "`[1, 2, 3]`"
    assert (
        first.explanation == "`sorted` returns a new, ordered list.\n\nIt does not sort in place."
    )
    assert second.key == "authored-shapes:authored:2"
    assert sorted(second.choices) == ["GET", "POST", "PUT"]
    assert second.choices[second.correct or 0] == "PUT"
    assert second.explanation == ""


def test_malformed_authored_questions_are_left_out_with_warnings() -> None:
    bank = bank_of("malformed/two-correct.md")
    warnings = [(p.line, p.message) for p in bank.warnings]
    left_out = "; the question is left out"
    assert (16, "2 choices are marked [x]; mark exactly one" + left_out) in warnings
    assert (22, "no choice is marked [x]; mark exactly one" + left_out) in warnings
    assert (27, "question has 1 choice(s); it needs at least 2" + left_out) in warnings
    # Two questions claiming one id is an identity clash: an error.
    assert [(p.line, p.message) for p in bank.errors] == [
        (36, "duplicate question id 'same-id' (first on line 31)")
    ]
    authored = [q.key for q in bank.questions if q.kind == "authored"]
    assert authored == ["two-correct:authored:same-id"]


def test_question_heading_without_choices_is_a_warning() -> None:
    text = "# T\n\n## Questions\n\n### What is missing?\n\nJust prose.\n"
    bank = build_bank([SourceFile("t.md", text)])
    assert bank.errors == ()
    assert [(p.line, p.message) for p in bank.warnings] == [
        (
            5,
            "question has no choices: add a checklist with one `- [x]` answer; "
            "the question is left out",
        )
    ]


def test_invalid_question_id_is_an_error() -> None:
    text = "# T\n\n## Questions\n\n### Q? {#Bad Id}\n\n- [x] a\n- [ ] b\n"
    bank = build_bank([SourceFile("t.md", text)])
    assert [p.line for p in bank.errors] == [5]
    assert "invalid question id 'Bad Id'" in bank.errors[0].message


def test_self_assessment_identity_survives_rewording() -> None:
    source = load("corpus/question_banks/demo-series/01-process-vs-thread.md")
    reworded = SourceFile(
        source.path,
        source.text.replace(
            "Why can one bad thread bring down a whole server process?",
            "How can a single faulty thread crash the entire server?",
        ).replace("When a crash or a memory leak", "When a crash, or a leak,"),
    )
    before = {q.key: q for q in build_bank([source]).questions if q.kind == "self_assessment"}
    after = {q.key: q for q in build_bank([reworded]).questions if q.kind == "self_assessment"}
    assert (
        set(before)
        == set(after)
        == {
            "process-vs-thread:self_assessment:1",
            "process-vs-thread:self_assessment:2",
        }
    )
    changed = "process-vs-thread:self_assessment:1"
    assert before[changed].prompt != after[changed].prompt
    assert before[changed].content_hash != after[changed].content_hash
