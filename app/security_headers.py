"""Headers every response carries: what the browser may load and run, framing, sniffing and
referrers, HTTPS pinning, and no caching of pages that show a secret.

The Content-Security-Policy allows scripts, styles, fonts, images and connections from the app's
own origin only: no inline script or style anywhere (scripts are files; widths are classes), no
plugins, no framing by anyone, and forms post only here. A view that shows a secret (a new API
token, a learner's data export) calls :func:`no_store`.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"


def no_store() -> None:
    """Mark this response as one no cache may keep (it shows a secret)."""
    g.no_store = True


def _add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if g.get("no_store"):
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def register(app: Flask) -> None:
    app.after_request(_add_headers)
