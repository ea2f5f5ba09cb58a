"""build_bank and read_sources over folders: cross-file checks, tracks, robustness, purity."""

from __future__ import annotations

import ast
from pathlib import Path

from app.domain.banks import Severity, SourceFile, build_bank, read_sources

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "banks"
APP = Path(__file__).resolve().parents[2] / "app"


def test_read_sources_finds_articles_and_tracks_with_display_paths() -> None:
    sources = read_sources(FIXTURES / "corpus" / "question_banks")
    assert [s.path for s in sources] == [
        "question_banks/demo-series/01-process-vs-thread.md",
        "question_banks/demo-series/02-fsync.md",
        "question_banks/demo-series/03-tcp-vs-udp.md",
        "question_banks/demo-series/04-caching.md",
        "question_banks/demo-series/05-replication.md",
        "question_banks/tracks/demo.yaml",
    ]
    assert sources[0].text.startswith("---\nkey: process-vs-thread\n")


def test_read_sources_accepts_a_single_file() -> None:
    path = FIXTURES / "shapes" / "authored.md"
    [source] = read_sources(path)
    assert source.path == path.as_posix()
    assert build_bank([source]).questions[0].key == "authored-shapes:authored:print-order"


def test_corpus_builds_cleanly() -> None:
    bank = build_bank(read_sources(FIXTURES / "corpus" / "question_banks"))
    assert bank.problems == ()
    assert [a.key for a in bank.articles] == [
        "process-vs-thread",
        "fsync",
        "tcp-vs-udp",
        "caching",
        "replication",
    ]
    [track] = bank.tracks
    assert track.key == "demo-track"
    assert track.title == "Demo: the basics"
    assert track.level == "beginner"
    assert track.article_keys == ("process-vs-thread", "fsync", "tcp-vs-udp", "caching")
    keys = [q.key for q in bank.questions]
    assert len(keys) == len(set(keys))
    assert {q.article_key for q in bank.questions} == {a.key for a in bank.articles}
    assert "replication:one_thing" in keys  # "TL;DR" heading
    assert "caching:one_thing" in keys  # "Key takeaway" heading
    assert "process-vs-thread:authored:fork" in keys


def test_build_is_deterministic() -> None:
    sources = read_sources(FIXTURES / "corpus" / "question_banks")
    assert build_bank(sources) == build_bank(list(sources))


def test_folder_of_foreign_markdown_without_tracks() -> None:
    bank = build_bank(read_sources(FIXTURES / "shapes"))
    assert bank.tracks == ()
    assert bank.errors == ()
    assert {a.key for a in bank.articles} >= {"plain-notes", "prose-only", "isolation-levels"}
    assert any(
        p.path.endswith("prose-only.md") and "no questions" in p.message for p in bank.warnings
    )


def test_duplicate_article_keys_and_alias_clashes() -> None:
    bank = build_bank(read_sources(FIXTURES / "malformed" / "duplicate-keys"))
    errors = {(p.path, p.line, p.message) for p in bank.errors}
    assert (
        "duplicate-keys/a.md",
        2,
        "duplicate article key 'shared-key' (also in duplicate-keys/b.md)",
    ) in errors
    assert (
        "duplicate-keys/b.md",
        2,
        "duplicate article key 'shared-key' (also in duplicate-keys/a.md); file skipped",
    ) in errors
    assert (
        "duplicate-keys/a.md",
        4,
        "alias 'b-key' is the key of another article (duplicate-keys/c.md)",
    ) in errors
    assert (
        "duplicate-keys/a.md",
        4,
        "alias 'old-name' is also an alias of duplicate-keys/c.md",
    ) in errors
    assert (
        "duplicate-keys/c.md",
        4,
        "alias 'old-name' is also an alias of duplicate-keys/a.md",
    ) in errors
    # The first article with a key wins; keys stay unique in the bank.
    assert [(a.key, a.title) for a in bank.articles] == [
        ("shared-key", "First"),
        ("b-key", "Third"),
    ]
    assert [q.prompt for q in bank.questions] == ["Question A?", "Question C?"]


def test_track_problems_are_reported_with_lines() -> None:
    bank = build_bank(read_sources(FIXTURES / "malformed" / "tracks-bad" / "question_banks"))
    found = {(p.path.split("/")[-1], p.line, p.severity, p.message) for p in bank.problems}
    error, warning = Severity.ERROR, Severity.WARNING
    assert ("a-unknown.yaml", 5, error, "unknown article key 'no-such-article'") in found
    assert (
        "a-unknown.yaml",
        6,
        error,
        "article 'alpha' is listed twice (first on line 4)",
    ) in found
    assert (
        "a-unknown.yaml",
        7,
        warning,
        "'alpha-old' is a former key of 'alpha'; list it by its new key",
    ) in found
    assert ("b-no-title.yaml", 1, error, "track has no `title`") in found
    assert (
        "b-no-title.yaml",
        1,
        error,
        "duplicate track key 'broken-track' (also in question_banks/tracks/a-unknown.yaml)",
    ) in found
    assert (
        "a-unknown.yaml",
        1,
        error,
        "duplicate track key 'broken-track' (also in question_banks/tracks/b-no-title.yaml)",
    ) in found
    assert any(
        name == "c-bad-yaml.yaml" and line == 5 and message.startswith("bad YAML in track file")
        for name, line, _, message in found
    )
    assert ("d-no-key.yml", 1, error, "track has no `key`") in found
    tracks = {t.key: t for t in bank.tracks}
    assert tracks["broken-track"].article_keys == ("alpha",)
    assert tracks["broken-track"].path.endswith("a-unknown.yaml")


def test_track_that_is_not_a_mapping() -> None:
    bank = build_bank([SourceFile("question_banks/tracks/x.yaml", "- just\n- a list\n")])
    assert [(p.line, p.message) for p in bank.errors] == [
        (1, "track file must be a mapping of `field: value`")
    ]
    assert bank.tracks == ()


def test_a_file_that_breaks_the_parser_becomes_a_problem() -> None:
    broken = SourceFile("question_banks/broken.md", None)  # type: ignore[arg-type]
    fine = SourceFile("question_banks/fine.md", "# Fine\n\n## TL;DR\n\nKeep it **simple**.\n")
    bank = build_bank([broken, fine])
    assert [(p.path, p.line) for p in bank.errors] == [("question_banks/broken.md", 1)]
    assert bank.errors[0].message.startswith("could not parse this file: AttributeError")
    assert [q.key for q in bank.questions] == ["fine:one_thing"]


def test_hostile_inputs_do_not_crash() -> None:
    sources = [
        SourceFile("a.md", "---\n- a list\n---\n# A\n"),
        SourceFile("b.md", "---\nkey: !!python/object:os.system echo\n---\n"),
        SourceFile("c.md", "\ufeff---\r\nkey: c\r\n---\r\n# C\r\n"),
        SourceFile("d.md", "## Trade-offs\n\n|\n|-\n| |\n"),
        SourceFile("e.md", "## Questions\n\n### {#x}\n\n- [x]\n- [ ]\n"),
        SourceFile("f.md", "## Self-Assessment\n\n- [ ]\n" + "  " * 50 + "- deep\n"),
        SourceFile("g.txt", "not markdown"),
        SourceFile(
            "h.md", "> ## Trade-offs\n> | Aspect | A | B |\n> |---|---|---|\n> | x | 1 | 2 |\n"
        ),
    ]
    bank = build_bank(sources)
    paths = {p.path for p in bank.problems}
    assert {"a.md", "b.md", "g.txt"} <= paths
    assert "c" in {a.key for a in bank.articles}
    assert not any(p.message.startswith("could not") for p in bank.problems)


def test_domain_modules_import_nothing_from_the_app_but_the_domain() -> None:
    modules = [*sorted((APP / "domain" / "banks").glob("*.py"))]
    modules += [APP / "domain" / "questions.py", APP / "domain" / "render.py"]
    for module in modules:
        tree = ast.parse(module.read_text("utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                root = name.split(".")[0]
                assert root not in {"flask", "sqlalchemy", "flask_sqlalchemy"}, (module, name)
                if root == "app":
                    assert name.startswith("app.domain"), (module, name)


def test_the_readme_example_article_yields_what_the_readme_promises() -> None:
    readme = (APP.parent / "question_banks" / "README.md").read_text("utf-8")
    example = readme.split("```markdown\n", 1)[1].split("\n```\n", 1)[0]
    bank = build_bank([SourceFile("question_banks/x/01-process-vs-thread.md", example)])
    assert bank.errors == ()
    cards = {q.key: q for q in bank.questions}
    which = cards["process-vs-thread:table:processes-vs-threads:memory:which:process"]
    assert which.kind == "table_side"
    assert which.prompt == "Which of these is true of *Process*, not *Thread*?"
    assert which.choices[which.correct or 0] == "**Memory:** Own virtual address space"
    compare = cards["process-vs-thread:table:processes-vs-threads:memory:compare"]
    assert compare.prompt == "Compare *Process* and *Thread* on *Memory*"
    assert cards["process-vs-thread:one_thing"].cloze_answer == "Isolation"
    assert cards["process-vs-thread:self_assessment:1"].answer.startswith("Threads share one")
    authored = cards["process-vs-thread:authored:1"]
    assert authored.choices[authored.correct or 0] == "`fork()`"
    assert authored.explanation.startswith("`fork()` duplicates the calling process")
