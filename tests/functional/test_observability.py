"""Metrics for Prometheus, request ids in responses, errors and logs, and JSON logs."""

from __future__ import annotations

import json
import logging

from app.observability import JsonFormatter, RequestIdFilter
from tests.factories import bearer, make_token, make_user


def test_metrics_count_requests_and_are_closed_to_the_network_without_a_token(client, app):
    client.get("/healthz")
    local = client.get("/metrics")
    assert local.status_code == 200
    body = local.data.decode()
    assert (
        'rehearse_request_seconds_count{endpoint="main.healthz",method="GET",status="2xx"}' in body
    )
    assert "rehearse_answers_total" in body and "rehearse_job_runs_total" in body
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=remote).status_code == 403
    app.config["METRICS_TOKEN"] = "scrape-me"
    assert client.get("/metrics", environ_base=remote).status_code == 403
    allowed = client.get("/metrics", environ_base=remote, headers=bearer("scrape-me"))
    assert allowed.status_code == 200


def test_every_response_and_error_names_its_request(client, app):
    given = client.get("/healthz", headers={"X-Request-ID": "trace-0123456789"})
    assert given.headers["X-Request-ID"] == "trace-0123456789"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id!"})
    assert len(made.headers["X-Request-ID"]) == 32  # a fresh one, not the caller's junk
    token = make_token(make_user())
    missing = client.get("/api/v1/tracks/nope", headers=bearer(token))
    assert missing.get_json()["error"]["details"]["request_id"] == missing.headers["X-Request-ID"]


def test_log_lines_carry_the_request_id_and_can_be_json(app):
    record = logging.LogRecord("app", logging.INFO, __file__, 1, "answered %d", (3,), None)
    with app.test_request_context("/", headers={"X-Request-ID": "abcdefgh1234"}):
        app.preprocess_request()
        assert RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line == {**line, "message": "answered 3", "request_id": "abcdefgh1234", "level": "INFO"}


def test_a_check_before_rating_is_not_counted_as_an_answer():
    from app.observability import _is_answer

    assert _is_answer("api.answer", "POST") and _is_answer("study.answer", "POST")
    assert not _is_answer("api.check_answer", "POST")
    assert not _is_answer("api.answer", "GET")
