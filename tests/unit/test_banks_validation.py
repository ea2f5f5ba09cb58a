"""`banks check` is the whole validation: encodings, NUL bytes, lengths and ranges the database
would refuse, keys from paths, and the files a bank folder holds."""

from __future__ import annotations

from pathlib import Path

from app.domain.banks import SourceFile, build_bank, read_sources
from app.domain.banks.limits import KEY_MAX, QUESTION_KEY_MAX, TITLE_MAX


def errors_of(root: Path) -> list[tuple[str, int, str]]:
    bank = build_bank(read_sources(root))
    return [(Path(p.path).name, p.line, p.message) for p in bank.errors]


ARTICLE = "# Caching\n\n## Self-Assessment\n\n- [ ] Why cache?\n  - To save a trip.\n"


def test_files_that_are_not_utf8_text_are_errors_with_their_line(tmp_path: Path) -> None:
    root = tmp_path / "banks"
    root.mkdir()
    (root / "latin1.md").write_bytes("# Caf\u00e9\n\nLine two\n\nna\u00efve\n".encode("latin-1"))
    (root / "utf16.md").write_bytes(ARTICLE.encode("utf-16"))
    (root / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (root / "fine.md").write_text(ARTICLE, encoding="utf-8")
    assert errors_of(root) == [
        ("binary.md", 3, "file has NUL bytes, so it is binary, not Markdown or YAML text"),
        (
            "latin1.md",
            1,
            "file is not UTF-8: byte 0xE9 cannot be read (Latin-1 or Windows-1252 text?); "
            "save it as UTF-8",
        ),
        ("utf16.md", 1, "file is UTF-16 text, not UTF-8: save it as UTF-8"),
    ]
    bank = build_bank(read_sources(root))
    assert {q.article_key for q in bank.questions} >= {"fine"}


def test_a_nul_character_in_text_is_an_error_on_its_line() -> None:
    bank = build_bank([SourceFile("question_banks/a.md", "# A\n\nfine\n\nbad \x00 here\n")])
    assert [(p.line, p.message) for p in bank.errors] == [
        (5, "line has a NUL character, which cannot be stored: remove it")
    ]


def front(**fields: object) -> SourceFile:
    lines = "".join(f"{name}: {value}\n" for name, value in fields.items())
    return SourceFile("question_banks/s/a.md", f"---\n{lines}---\n\n{ARTICLE}")


def test_lengths_and_ranges_the_database_refuses_are_errors_at_the_field() -> None:
    at_limit = build_bank([front(key="k" * KEY_MAX, title="t" * TITLE_MAX, read_minutes=1440)])
    assert at_limit.errors == ()
    over = build_bank(
        [
            front(
                key="k" * (KEY_MAX + 1),
                title="t" * (TITLE_MAX + 1),
                key_tradeoff="A" * 150 + " vs " + "B" * 50,
                read_minutes=99999999999,
            )
        ]
    )
    assert [(p.line, p.message) for p in over.errors] == [
        (2, f"key is {KEY_MAX + 1} characters; at most {KEY_MAX} fit"),
        (3, f"title is {TITLE_MAX + 1} characters; at most {TITLE_MAX} fit"),
        (4, f"key_tradeoff is 204 characters; at most {TITLE_MAX} fit"),
        (5, "read_minutes must be from 0 to 1440, not 99999999999"),
    ]


def test_a_caption_that_makes_a_question_key_too_long_is_an_error() -> None:
    caption = "c" * QUESTION_KEY_MAX
    table = "| Aspect | A | B |\n|---|---|---|\n| X | 1 | 2 |\n"
    text = f"# T\n\n## Trade-offs\n\n### {caption}\n\n{table}"
    bank = build_bank([SourceFile("question_banks/t.md", text)])
    assert bank.errors
    assert all(p.message.startswith("question key is ") for p in bank.errors)
    assert "shorten the table caption" in bank.errors[0].message


def test_a_track_title_too_long_is_an_error() -> None:
    track = SourceFile(
        "question_banks/tracks/t.yaml",
        f"key: t\ntitle: {'x' * (TITLE_MAX + 1)}\narticles: [a]\n",
    )
    bank = build_bank([front(key="a"), track])
    assert [(p.path, p.line) for p in bank.errors] == [("question_banks/tracks/t.yaml", 2)]


def test_keys_come_from_the_path_in_the_bank_so_same_names_never_collide(tmp_path: Path) -> None:
    root = tmp_path / "guide"
    for folder in ("networking", "storage"):
        (root / folder).mkdir(parents=True)
        (root / folder / "01-notes.md").write_text(ARTICLE)
    (root / "networking" / "README.md").write_text(ARTICLE)
    (root / "README.md").write_text(ARTICLE)
    bank = build_bank(read_sources(root))
    assert bank.errors == ()
    assert sorted(a.key for a in bank.articles) == [
        "guide",
        "networking",
        "networking-notes",
        "storage-notes",
    ]


def test_rehearseignore_leaves_out_the_files_it_names(tmp_path: Path) -> None:
    root = tmp_path / "question_banks"
    root.mkdir()
    (root / "README.md").write_text("# How to write a bank\n\n| Field | Meaning |\n|---|---|\n")
    (root / "01-caching.md").write_text(ARTICLE)
    assert [s.path for s in read_sources(root)] == [
        "question_banks/01-caching.md",
        "question_banks/README.md",
    ]
    (root / ".rehearseignore").write_text("# documentation, not an article\nREADME.md\n")
    assert [s.path for s in read_sources(root)] == ["question_banks/01-caching.md"]
