"""Security headers on every response, pages, API, static files and errors alike.

A strict Content-Security-Policy: scripts and styles only from this origin or
carrying the request's nonce (the pages put it on their one inline <style>), no
inline event handlers, no plugins, no framing, forms post only here.  Even if
some text were ever spliced into a page unescaped, the browser would not run it.

A pure ASGI middleware rather than Starlette's BaseHTTPMiddleware: it sees
every response start, including those of exception handlers and static files,
and does not buffer streamed bodies.
"""

from __future__ import annotations

import secrets

NONCE_KEY = "csp_nonce"  # request.state.csp_nonce in the templates


def policy(nonce: str) -> str:
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ))


STATIC_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})[NONCE_KEY] = nonce
        csp = policy(nonce).encode()

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
                headers.append((b"content-security-policy", csp))
                present = {k.lower() for k, _v in headers}
                headers.extend((k, v) for k, v in STATIC_HEADERS if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
