"""The banks CLI, the track and article pages and the catalogue API."""

from __future__ import annotations

from app.config import PROJECT_ROOT
from app.services import banks
from tests.factories import NOW, bearer, log_in, make_token, make_user
from tests.integration.test_bank_sync import write_bank

BANKS = PROJECT_ROOT / "question_banks"


def test_banks_check_passes_on_the_shipped_banks(runner):
    result = runner.invoke(args=["banks", "check", str(BANKS)])
    assert result.exit_code == 0, result.output
    assert "174 articles, 34 tracks" in result.output
    assert "0 error(s)" in result.output


def test_banks_check_reports_file_and_line_and_fails(runner, tmp_path):
    root = write_bank(tmp_path / "banks", track=["caching", "ghost"])
    (root / "02-queues.md").write_text("---\nkey: [unclosed\n---\n# Queues\n")
    result = runner.invoke(args=["banks", "check", str(root)])
    assert result.exit_code == 1
    assert "basics.yaml:" in result.output and "ghost" in result.output
    assert "02-queues.md:" in result.output


def test_banks_sync_prints_counts_and_the_second_run_changes_nothing(runner, tmp_path):
    root = write_bank(tmp_path / "banks")
    first = runner.invoke(args=["banks", "sync", str(root)])
    assert first.exit_code == 0, first.output
    assert "articles:  3 added, 0 updated, 0 retired, 0 unchanged" in first.output
    second = runner.invoke(args=["banks", "sync", str(root)])
    assert "no change" in second.output
    assert "3 unchanged" in second.output


def test_banks_sync_refuses_a_bank_with_errors(runner, tmp_path):
    root = write_bank(tmp_path / "banks", track=["ghost"])
    result = runner.invoke(args=["banks", "sync", str(root)])
    assert result.exit_code != 0
    assert "nothing was applied" in result.output


def test_banks_preview_prints_the_questions_of_one_file(runner):
    result = runner.invoke(
        args=["banks", "preview", str(BANKS / "backend-engineering-mastery/07-load-balancing.md")]
    )
    assert result.exit_code == 0, result.output
    assert "[key_tradeoff] load-balancing:key_tradeoff" in result.output
    assert "Speed vs Features" in result.output
    assert (
        "Mock interview on load-balancing: Walk me through the trade-off between L4 load "
        "balancer and L7 load balancer: when would you choose each?" in result.output
    )
    assert "[table] **What it inspects** — L4 load balancer: IP addresses" in result.output
    assert "questions from" in result.output


def test_track_and_article_pages(client, app):
    banks.sync(BANKS, now=NOW)
    tracks = client.get("/tracks").data.decode()
    assert "Reading path: Junior Engineer" in tracks
    track = client.get("/tracks/part-1-os-systems-foundation").data.decode()
    order = [track.index(t) for t in ("Process vs Thread", "Memory Management", "CPU Scheduling")]
    assert order == sorted(order)
    assert "10 min" in track
    article = client.get("/articles/process-vs-thread").data.decode()
    assert "Isolation vs Efficiency" in article
    assert "<table>" in article
    assert "Log in</a> to see the questions" in article
    make_user(email="ada@example.com")
    log_in(client, "ada@example.com")
    signed_in = client.get("/articles/process-vs-thread").data.decode()
    assert "What is the key trade-off of Process vs Thread?" in signed_in
    assert client.get("/tracks/no-such-track").status_code == 404


def test_article_markdown_is_rendered_harmless(client, app, tmp_path):
    root = write_bank(tmp_path / "banks")
    evil = (root / "01-caching.md").read_text() + (
        "\n<script>alert('x')</script>\n\n[click](javascript:alert(1))\n\n"
        '<img src="x" onerror="alert(2)">\n'
    )
    (root / "01-caching.md").write_text(evil)
    banks.sync(root, now=NOW)
    page = client.get("/articles/caching").data.decode()
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page.replace("'", '"')
    assert "onerror" not in page


def test_catalogue_api(client, app):
    banks.sync(BANKS, now=NOW)
    token = make_token(make_user())
    tracks = client.get("/api/v1/tracks", headers=bearer(token)).get_json()["tracks"]
    assert len(tracks) == 34
    whole = client.get(
        "/api/v1/tracks/backend-engineering-mastery", headers=bearer(token)
    ).get_json()
    assert [a["key"] for a in whole["articles"]][:2] == ["process-vs-thread", "memory-management"]
    assert len(whole["articles"]) == 27
    article = client.get("/api/v1/articles/tcp-deep-dive", headers=bearer(token)).get_json()
    assert article["key_tradeoff"] == "Reliability vs Latency"
    assert len(article["questions"]) >= 12
    missing = client.get("/api/v1/articles/nope", headers=bearer(token))
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
