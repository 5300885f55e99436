"""The two tiny HTML pages a sign-in popup can end on: the hand-over and the readable error.

Both are served with a strict Content-Security-Policy: nothing loads from anywhere, and the one
inline script and style run only with this response's nonce. The hand-over page carries the
login code and the target origin as data attributes of its script (HTML-escaped), posts them to
``window.opener`` for that origin only, and closes. Neither page may be framed or cached, and
``Referrer-Policy: no-referrer`` keeps the callback URL (code and state) out of any referrer.
"""

from __future__ import annotations

import secrets
from html import escape

from starlette.responses import HTMLResponse

_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1c1e21}"
    "code{background:#f0f0f0;padding:.1rem .3rem;border-radius:3px}button{font:inherit;padding:.4rem 1rem}"
)

_HANDOVER = """(function () {
  var me = document.currentScript, status = document.getElementById("status");
  var opener = window.opener;
  if (!opener || opener.closed) {
    status.textContent = "You are signed in, but the page that opened this window is gone. " +
      "Close this window and choose \\u201cSign in\\u201d on the book again.";
    return;
  }
  opener.postMessage({ type: "tutorgpt:login", login_code: me.dataset.code }, me.dataset.origin);
  status.textContent = "Signed in. This window closes by itself.";
  window.close();
})();"""

_CLOSE = """document.getElementById("close").addEventListener("click", function () { window.close(); });"""


def _page(title: str, body: str, script: str, status: int, script_data: str = "") -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(title)}</title>'
        f'<style nonce="{nonce}">{_STYLE}</style></head><body>{body}'
        f'<script nonce="{nonce}"{script_data}>{script}</script></body></html>'
    )
    headers = {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    return HTMLResponse(html, status_code=status, headers=headers)


def handover_page(login_code: str, origin: str) -> HTMLResponse:
    """Posts ``{type: "tutorgpt:login", login_code}`` to the opener at ``origin`` only."""
    body = '<h1>Signing you in…</h1><p id="status" data-tutorgpt="signin-status">One moment.</p>'
    data = f' data-code="{escape(login_code)}" data-origin="{escape(origin)}"'
    return _page("Signing you in", body, _HANDOVER, 200, data)


def error_page(code: str, message: str, status: int, request_id: str) -> HTMLResponse:
    """A readable failure with its stable code and the request id an operator can look up."""
    body = (
        f'<h1>Sign-in did not work</h1><p data-tutorgpt="signin-error" data-code="{escape(code)}">'
        f"{escape(message)}</p><p>Error code: <code>{escape(code)}</code> · request <code>"
        f'{escape(request_id)}</code></p><p><button id="close" type="button">Close this window</button></p>'
    )
    return _page("Sign-in did not work", body, _CLOSE, status)
