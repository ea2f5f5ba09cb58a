"""Metrics for Prometheus, a request id on every request, and logs that carry it.

* ``GET /metrics``: request latency by endpoint, answers, server errors and (in the scheduler
  process, on ``REHEARSE_SCHEDULER_METRICS_PORT``) job runs and their durations, in Prometheus'
  text format. Open to loopback; from anywhere else it needs ``Authorization: Bearer
  <REHEARSE_METRICS_TOKEN>``, and without a token set it is closed to the network.
* Every request gets an id: the caller's ``X-Request-ID`` when it is a plausible one, else a new
  one. It comes back as ``X-Request-ID``, is in every log line the request writes, and in every
  JSON error's ``details.request_id``.
* ``REHEARSE_LOG_FORMAT=json`` writes one JSON object per log line.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, has_request_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

REGISTRY = CollectorRegistry()
REQUEST_SECONDS = Histogram(
    "rehearse_request_seconds",
    "Time to answer a request, by endpoint, method and status class.",
    ["endpoint", "method", "status"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ANSWERS = Counter(
    "rehearse_answers_total",
    "Answers recorded (reviews, drill, group and live answers), by endpoint.",
    ["endpoint"],
    registry=REGISTRY,
)
ERRORS = Counter(
    "rehearse_server_errors_total", "Requests answered with a 5xx, by endpoint.", ["endpoint"],
    registry=REGISTRY,
)  # fmt: skip
JOB_RUNS = Counter(
    "rehearse_job_runs_total", "Scheduler job runs, by job and outcome.", ["job", "outcome"],
    registry=REGISTRY,
)  # fmt: skip
JOB_SECONDS = Histogram(
    "rehearse_job_seconds", "Duration of scheduler job runs.", ["job"], registry=REGISTRY,
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 1800),
)  # fmt: skip

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_LOOPBACK = {"127.0.0.1", "::1"}


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def request_id_detail() -> dict[str, str]:
    """``{"request_id": …}`` for an error's details, when a request is being answered."""
    rid = request_id()
    return {"request_id": rid} if rid else {}


def _is_answer(endpoint: str, method: str) -> bool:
    """A request that records an answer: a check of one before rating records nothing."""
    return method == "POST" and "answer" in endpoint and "check" not in endpoint


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    endpoint = request.endpoint or "unmatched"
    if endpoint != "metrics" and "started" in g:
        status = f"{response.status_code // 100}xx"
        REQUEST_SECONDS.labels(endpoint, request.method, status).observe(
            time.perf_counter() - g.started
        )
        if response.status_code >= 500:
            ERRORS.labels(endpoint).inc()
        elif response.status_code < 300 and _is_answer(endpoint, request.method):
            ANSWERS.labels(endpoint).inc()
    return response


def _metrics() -> Response:
    token = current_app.config.get("METRICS_TOKEN") or ""
    if request.remote_addr not in _LOOPBACK:
        header = request.headers.get("Authorization", "")
        if not token or not hmac.compare_digest(header, f"Bearer {token}"):
            return Response("metrics are open to loopback or with the metrics token\n", 403)
    return Response(generate_latest(REGISTRY), mimetype=CONTENT_TYPE_LATEST)


F = TypeVar("F", bound=Callable[..., Any])


def timed_job(job_id: str) -> Callable[[F], F]:
    """Count and time a scheduler job's runs."""

    def wrap(func: F) -> F:
        @wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = func(*args, **kwargs)
            except Exception:
                JOB_RUNS.labels(job_id, "failed").inc()
                raise
            finally:
                JOB_SECONDS.labels(job_id).observe(time.perf_counter() - started)
            JOB_RUNS.labels(job_id, "ok").inc()
            return result

        return run  # type: ignore[return-value]

    return wrap


class RequestIdFilter(logging.Filter):
    """Put the request id (or "-") on every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(level: str, fmt: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")
        )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)


def register(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.add_url_rule("/metrics", "metrics", _metrics)
