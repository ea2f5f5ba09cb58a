"""The banks commands an author runs: check, lint and sync of part of the banks."""

from __future__ import annotations

from pathlib import Path

from app.config import PROJECT_ROOT

BANKS = PROJECT_ROOT / "question_banks"

FLAGGED = """\
---
key: flagged
title: Flagged
---

# Flagged

## Questions

### Which write mode waits for fsync? {#fsync-mode}

- [x] Write plus fsync
- [ ] Buffered write only
- [ ] Direct I/O write
"""


def test_check_of_a_missing_path_is_one_line_and_fails(runner, tmp_path):
    result = runner.invoke(args=["banks", "check", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path / 'nowhere'}: no such file or folder"
    ]
    assert "Traceback" not in result.output


def test_lint_strict_passes_on_the_shipped_banks(runner):
    result = runner.invoke(args=["banks", "lint", str(BANKS), "--strict"])
    assert result.exit_code == 0, result.output
    assert "0 flagged" in result.output
    assert "table_which" in result.output and "authored" in result.output


def test_lint_prints_each_flag_with_file_and_line_and_strict_fails(runner, tmp_path: Path):
    (tmp_path / "flagged.md").write_text(FLAGGED)
    relaxed = runner.invoke(args=["banks", "lint", str(tmp_path)])
    assert relaxed.exit_code == 0
    flag = f"{tmp_path.name}/flagged.md:10: answer-in-stem: the stem gives the answer away: fsync"
    assert flag in relaxed.output
    assert "1 flagged" in relaxed.output
    strict = runner.invoke(args=["banks", "lint", str(tmp_path), "--strict"])
    assert strict.exit_code == 1


def notes(folder: Path, name: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.md").write_text(
        f"# Notes\n\n## Self-Assessment\n\n- [ ] What is kept in {name}?\n  - Everything.\n"
    )


def test_sync_of_a_path_names_what_prune_would_retire(runner, app, tmp_path: Path):
    one, two = tmp_path / "one", tmp_path / "two"
    notes(one, "pools")
    notes(two, "queues")
    assert runner.invoke(args=["banks", "sync", str(one)]).exit_code == 0
    result = runner.invoke(args=["banks", "sync", str(two)])
    assert result.exit_code == 0, result.output
    assert "kept 1 articles from outside two that it does not hold" in result.output
    assert "(--prune retires them): pools" in result.output
    pruned = runner.invoke(args=["banks", "sync", str(two), "--prune"])
    assert "articles:  0 added, 0 updated, 1 retired" in pruned.output


def test_a_file_elsewhere_that_claims_a_loaded_key_is_refused(runner, app, tmp_path: Path):
    notes(tmp_path / "one", "pools")
    notes(tmp_path / "two", "pools")
    assert runner.invoke(args=["banks", "sync", str(tmp_path / "one")]).exit_code == 0
    result = runner.invoke(args=["banks", "sync", str(tmp_path / "two")])
    assert result.exit_code == 1
    assert "two/pools.md:1: article key 'pools' is already loaded from one/pools.md" in (
        result.output
    )
    assert "nothing was applied" in result.output


def test_sample_draws_the_same_questions_for_the_same_seed(runner):
    first = runner.invoke(args=["banks", "sample", str(BANKS), "--seed", "7", "--count", "5"])
    again = runner.invoke(args=["banks", "sample", str(BANKS), "--seed", "7", "--count", "5"])
    other = runner.invoke(args=["banks", "sample", str(BANKS), "--seed", "8", "--count", "5"])
    assert first.exit_code == 0, first.output
    assert first.output == again.output != other.output
    assert first.output.count("\n## Q") == 5
    # Every multiple-choice question shows its key, once.
    for block in first.output.split("\n## Q")[1:]:
        if "\n- a) " in block:
            assert block.count("(key)") == 1
