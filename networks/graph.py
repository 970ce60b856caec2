"""Meta's Graph API error answers (Facebook Pages and Threads share them):
``{"error": {"message", "type", "code", "error_subcode", "error_user_msg", "fbtrace_id"}}``,
mapped to our errors by code, since Graph sends most of them with HTTP 400."""

from __future__ import annotations

from typing import Any

from personae.networks.errors import (
    AuthFailed,
    NetworkError,
    RateLimited,
    Rejected,
    ServerTrouble,
)
from personae.networks.webapi import (
    Answer,
    describe_body,
    obj,
    retry_after_from_business_usage,
    retry_after_from_rate_headers,
    say,
    text,
)

RELOGIN = "re-authorise: personae account login"
THROTTLED = {4, 17, 32, 613, *range(80001, 80015)}  # app, user, page, custom, business use
PERMISSION = {10, *range(200, 300)}
TRANSIENT = {1, 2}  # unknown error, service temporarily unavailable
NOT_READY = 24  # Threads: the container is not ready for publishing yet


class DuplicateMessage(Rejected):
    """Graph code 506: the same message was just posted (which post, it does not say)."""


def graph_code(data: Any) -> tuple[int | None, str]:
    """The error's code and its words (the user-facing ones when given)."""
    error = obj(data, "error")
    code = error.get("code")
    words = text(error, "error_user_msg") or text(error, "message")
    return (code if isinstance(code, int) and not isinstance(code, bool) else None), words


def graph_refusal(answer: Answer, where: str, doing: str, *secrets: str) -> NetworkError:
    """A Graph error as a decision: log in again, wait, retry, or give up."""
    code, words = graph_code(answer.data)
    said = say(words, *secrets)
    detail = f": {said}" if said else ""
    if code == 190 or (code is None and answer.status == 401):
        return AuthFailed(f"{where}: the access token is no longer valid{detail}; {RELOGIN}")
    if code in THROTTLED:
        wait = retry_after_from_business_usage(answer.headers)
        if wait is None:
            wait = retry_after_from_rate_headers(answer.headers)
        hint = f"; try again in {wait / 60:.0f} min" if wait is not None else ""
        return RateLimited(f"{where} is throttling {doing} (#{code}){hint}", retry_after=wait)
    if code == 368:
        return Rejected(f"{where} has temporarily blocked this account from posting{detail}")
    if code == 506:
        return DuplicateMessage(f"{where}: a duplicate of a recent post{detail}")
    if code == NOT_READY:
        return ServerTrouble(f"{where}: the post is not ready for publishing yet{detail}")
    if code in PERMISSION:
        return AuthFailed(f"{where} lacks the permission for {doing} (#{code}{detail}); {RELOGIN}")
    transient = obj(answer.data, "error").get("is_transient") is True
    if code in TRANSIENT or transient or answer.status >= 500 or answer.status == 408:
        what = f"#{code}" if code is not None else str(answer.status)
        return ServerTrouble(f"{where} had trouble {doing} ({what}{detail})")
    if code is None and answer.data is None:
        return Rejected(f"{where} answered {answer.status} with {describe_body(answer)}")
    return Rejected(f"{where} refused {doing} (#{code}{detail})")
