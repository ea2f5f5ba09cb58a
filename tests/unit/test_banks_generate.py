"""Question generators: key trade-offs and their distractors, the registry, order and hashes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.domain.banks import (
    GENERATORS,
    GenerationContext,
    QuestionSpec,
    SourceFile,
    build_bank,
    generate_questions,
    parse_article,
)
from app.domain.banks.text import slugify, tradeoff_signature
from app.domain.questions import KINDS, RETIRED_KINDS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "banks"


def article(key: str, tradeoff: str | None, title: str | None = None) -> SourceFile:
    lines = ["---", f"key: {key}", f"title: {title or key.title()}"]
    if tradeoff is not None:
        lines.append(f"key_tradeoff: {tradeoff}")
    lines += ["---", "", f"# {title or key.title()}", ""]
    return SourceFile(f"question_banks/s/{key}.md", "\n".join(lines))


def kinds_of(
    questions: tuple[QuestionSpec, ...] | list[QuestionSpec], kind: str
) -> dict[str, QuestionSpec]:
    return {q.article_key: q for q in questions if q.kind == kind}


def test_registry_covers_every_kind_the_grader_knows() -> None:
    assert set(GENERATORS) == set(KINDS) - RETIRED_KINDS
    assert set(KINDS) == set(GENERATORS) | {"key_tradeoff_reverse"}
    assert set(GENERATORS) == {
        "key_tradeoff",
        "table_which",
        "table_side",
        "table_compare",
        "term",
        "term_which",
        "tradeoff_note",
        "pros_cons",
        "self_assessment",
        "recall",
        "one_thing",
        "authored",
    }


def test_slugify() -> None:
    assert slugify("Crash impact") == "crash-impact"
    assert slugify("  I/O -- multiplexing!  ") == "i-o-multiplexing"
    assert slugify("Café au lait") == "cafe-au-lait"
    assert slugify("`epoll`") == "epoll"
    assert slugify("—") == ""


def test_tradeoff_equivalence() -> None:
    same = tradeoff_signature("Safety vs Speed")
    assert tradeoff_signature("speed  VS safety") == same
    assert tradeoff_signature("Safety versus Speed (mostly)") == same
    assert tradeoff_signature("Safety vs. Speed") == same
    assert tradeoff_signature("Safety vs Cost") != same


def test_key_tradeoff_question_with_distractors() -> None:
    sources = [
        article("alpha", "Isolation vs Efficiency"),
        article("beta", "Durability vs Performance"),
        article("gamma", "Consistency vs Availability"),
        article("delta", "Latency vs Throughput"),
        article("epsilon", "Freshness vs Speed"),
    ]
    bank = build_bank(sources)
    card = kinds_of(bank.questions, "key_tradeoff")["alpha"]
    assert card.key == "alpha:key_tradeoff"
    assert card.prompt == "What is the key trade-off of Alpha?"
    assert len(card.choices) == 4
    assert card.correct is not None and card.choices[card.correct] == "Isolation vs Efficiency"
    assert card.answer == "Isolation vs Efficiency"
    assert len(set(card.choices)) == 4
    others = {
        "Durability vs Performance",
        "Consistency vs Availability",
        "Latency vs Throughput",
        "Freshness vs Speed",
    }
    assert set(card.choices) - {"Isolation vs Efficiency"} <= others
    assert card.sibling_group == "alpha:key_tradeoff"
    assert card.line == 4
    # The reverse ("Which topic's key trade-off is Isolation vs Efficiency?") is not asked.
    assert kinds_of(bank.questions, "key_tradeoff_reverse") == {}


def test_equivalent_close_and_synonym_tradeoffs_are_never_distractors() -> None:
    sources = [
        article("alpha", "Safety vs Speed"),
        article("beta", "speed vs safety (again)"),  # the same trade-off
        article("gamma", "Cost vs Control"),
        article("delta", "Freshness vs Latency"),
        article("epsilon", "Reliability vs Performance"),  # a near-synonym of alpha's
        article("zeta", "Safety vs Cost"),  # shares a side with alpha's
    ]
    bank = build_bank(sources)
    card = kinds_of(bank.questions, "key_tradeoff")["alpha"]
    assert sorted(card.choices) == ["Cost vs Control", "Freshness vs Latency", "Safety vs Speed"]


def test_near_synonym_tradeoffs() -> None:
    from app.domain.banks.text import tradeoff_sides
    from app.domain.banks.wording import near_synonym_tradeoffs

    def close(a: str, b: str) -> bool:
        return near_synonym_tradeoffs(tradeoff_sides(a), tradeoff_sides(b))

    assert close("Durability vs Performance", "Safety vs Speed")
    assert close("Simplicity vs Performance", "Speed vs Ease")
    # The two ends of one scale count as one axis: features cost simplicity.
    assert close("Simplicity vs Performance", "Speed vs Features")
    assert not close("Durability vs Performance", "Consistency vs Availability")
    assert not close("Isolation vs Efficiency", "Throughput vs Latency")


def test_distractors_come_from_related_articles_first() -> None:
    def related(key: str, tradeoff: str, part: int, tags: str) -> SourceFile:
        text = (
            f"---\nkey: {key}\ntitle: {key.title()}\nseries: s\npart: {part}\n"
            f"key_tradeoff: {tradeoff}\ntags: [{tags}]\n---\n\n# {key.title()}\n"
        )
        return SourceFile(f"question_banks/s/{key}.md", text)

    sources = [
        related("threads", "Isolation vs Efficiency", 1, "os"),
        related("memory", "Control vs Convenience", 1, "os"),
        related("scheduling", "Throughput vs Latency", 1, "os"),
        related("fsync", "Durability vs Performance", 1, "os, storage"),
        related("adr", "Documentation Effort vs Decision Legibility", 7, "leadership"),
        related("debt", "Velocity vs Maintainability", 7, "leadership"),
        related("hiring", "Speed vs Bar", 7, "leadership"),
    ]
    card = kinds_of(build_bank(sources).questions, "key_tradeoff")["threads"]
    assert sorted(card.choices) == sorted(
        [
            "Isolation vs Efficiency",
            "Control vs Convenience",
            "Throughput vs Latency",
            "Durability vs Performance",
        ]
    )


def test_title_that_gives_the_tradeoff_away_uses_its_topic_or_is_not_asked() -> None:
    def titled(key: str, title: str, tradeoff: str, topic: str = "") -> SourceFile:
        extra = f"topic: {topic}\n" if topic else ""
        text = f"---\nkey: {key}\ntitle: {title}\nkey_tradeoff: {tradeoff}\n{extra}---\n"
        return SourceFile(f"question_banks/s/{key}.md", text)

    others = [
        titled("a", "Processes", "Isolation vs Efficiency"),
        titled("b", "CAP theorem", "Consistency vs Availability"),
        titled("c", "Memory", "Control vs Convenience"),
    ]
    plain = build_bank(
        [*others, titled("io", "File I/O & Durability", "Performance vs Durability")]
    )
    assert "io" not in kinds_of(plain.questions, "key_tradeoff")
    named = build_bank(
        [*others, titled("io", "File I/O & Durability", "Performance vs Durability", "fsync()")]
    )
    card = kinds_of(named.questions, "key_tradeoff")["io"]
    assert card.prompt == "What is the key trade-off of fsync()?"


def test_no_distractor_means_no_key_tradeoff_question() -> None:
    bank = build_bank([article("alpha", "Safety vs Speed"), article("beta", "Speed vs Safety")])
    assert kinds_of(bank.questions, "key_tradeoff") == {}
    # Neither article yields anything: warnings, not errors.
    assert bank.errors == ()
    assert sorted(p.message.split(":")[0].split(" '")[0] for p in bank.warnings) == [
        "no questions found",
        "no questions found",
    ]


def test_distractors_are_deterministic_and_linear_in_corpus_order() -> None:
    sources = [article(f"topic-{n}", f"Alpha{n} vs Beta{n}") for n in range(40)]
    first = build_bank(sources)
    again = build_bank(list(reversed(sources)))
    assert {q.key: q.choices for q in first.questions} == {
        q.key: q.choices for q in again.questions
    }
    positions = {q.correct for q in first.questions if q.kind == "key_tradeoff"}
    assert len(positions) > 1  # the right answer is not always in the same place


def test_adding_an_unrelated_article_keeps_most_distractors() -> None:
    sources = [article(f"topic-{n}", f"Alpha{n} vs Beta{n}") for n in range(60)]
    before = {q.key: q.choices for q in build_bank(sources).questions}
    after = {
        q.key: q.choices
        for q in build_bank([*sources, article("newcomer", "New vs Old")]).questions
        if q.article_key != "newcomer"
    }
    unchanged = sum(1 for key, choices in before.items() if after[key] == choices)
    assert unchanged >= 0.8 * len(before)


def test_title_with_markdown_characters_is_escaped() -> None:
    bank = build_bank(
        [
            article("a", "X vs Y", "Use *args"),
            article("b", "P vs Q", "B"),
            article("c", "M vs N", "C"),
        ]
    )
    card = kinds_of(bank.questions, "key_tradeoff")["a"]
    assert card.prompt == "What is the key trade-off of Use \\*args?"


def test_positions_follow_the_registry_order() -> None:
    sources = [
        SourceFile(
            "question_banks/s/01-process-vs-thread.md",
            (FIXTURES / "corpus/question_banks/demo-series/01-process-vs-thread.md").read_text(),
        ),
        article("other", "Durability vs Performance", "Durable writes"),
        article("third", "Consistency vs Availability", "The CAP theorem"),
    ]
    bank = build_bank(sources)
    own = [q for q in bank.questions if q.article_key == "process-vs-thread"]
    assert [q.position for q in own] == list(range(len(own)))
    order = list(dict.fromkeys(q.kind for q in own))
    assert order == [
        "key_tradeoff",
        "one_thing",
        "table_compare",
        "self_assessment",
        "authored",
    ]
    assert order == [kind for kind in GENERATORS if kind in order]


def test_generate_questions_reports_a_failing_generator_and_keeps_the_rest() -> None:
    parsed, _ = parse_article(SourceFile("t.md", "# T\n\n## Self-Assessment\n\n- [ ] Q?\n  - A.\n"))
    broken_parsed = replace(parsed, tables=(None,))  # type: ignore[arg-type]
    specs, problems = generate_questions(broken_parsed, GenerationContext())
    assert [s.kind for s in specs] == ["self_assessment"]
    assert [p.message.split(":")[0] for p in problems] == [
        "could not generate table_which questions",
        "could not generate table_side questions",
        "could not generate table_compare questions",
    ]


def test_content_hash_ignores_place_but_not_content() -> None:
    spec = QuestionSpec(
        key="a:one_thing",
        article_key="a",
        kind="one_thing",
        position=0,
        prompt="p",
        answer="a",
        explanation="",
        choices=(),
        correct=None,
        cloze_answer=None,
        sibling_group=None,
        path="x.md",
        line=3,
    )
    assert replace(spec, line=99, path="y.md").content_hash == spec.content_hash
    assert replace(spec, prompt="q").content_hash != spec.content_hash
    assert replace(spec, choices=("x",)).content_hash != spec.content_hash
    assert replace(spec, position=1).content_hash != spec.content_hash
    assert len(spec.content_hash) == 64
