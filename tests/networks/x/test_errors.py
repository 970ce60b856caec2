"""Every way X or the path to it can fail becomes one of our errors, with one line that
names X and never the token."""

from __future__ import annotations

import json

import pytest

from personae.networks.base import Post, Source
from personae.networks.errors import (
    AuthFailed,
    RateLimited,
    Rejected,
    ServerTrouble,
    Unreachable,
)
from tests.networks.x.conftest import account
from tests.support.api_double import Reply
from tests.support.ports import free_port

POST = Post("hello", "k", {"attempted_at": 0.0})


def _one_clean_line(error: Exception, *secrets: str) -> str:
    message = str(error)
    assert "\n" not in message and message.strip()
    assert all(secret not in message for secret in secrets)
    return message


def test_a_refused_token_is_auth_failed_and_says_how_to_fix_it(double, x):
    wrong = Source(url=double.url, handle="@alice", secret="not-a-token-4711")
    with pytest.raises(AuthFailed) as refused:
        x.publish(wrong, POST)
    message = _one_clean_line(refused.value, "not-a-token-4711")
    assert "401" in message and "personae account login" in message


def test_no_token_at_all_is_auth_failed_before_anything_is_sent(double, x):
    with pytest.raises(AuthFailed, match="no access token"):
        x.verify(Source(url=double.url, handle="@alice"))
    assert double.requests_to(r".*") == []


def test_a_rate_limit_waits_until_the_reset_x_announced(double, x):
    double.fault("ratelimit", wait=600)
    with pytest.raises(RateLimited) as limited:
        x.fetch(account(double))
    assert limited.value.retry
    assert 500 < limited.value.retry_after <= 600
    _one_clean_line(limited.value, double.token("alice"))


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_worth_retrying(double, x, status):
    double.fault("error", status=status)
    with pytest.raises(ServerTrouble, match=str(status)) as trouble:
        x.publish(account(double), POST)
    assert trouble.value.retry and trouble.value.reached_server


def test_a_web_page_instead_of_json_is_server_trouble(double, x):
    double.fault("reply", reply=Reply(200, b"<html><body>Maintenance</body></html>",
                                      content_type="text/html"))  # fmt: skip
    with pytest.raises(ServerTrouble, match="a web page instead of JSON"):
        x.publish(account(double), POST)


def test_a_truncated_answer_is_server_trouble(double, x):
    body = json.dumps({"data": {"id": "1", "text": "hello"}}).encode()
    double.fault("reply", reply=Reply(201, body, truncate=10))
    with pytest.raises(ServerTrouble, match="broke"):
        x.publish(account(double), POST)


def test_a_huge_answer_is_cut_off_not_read_whole(double, x):
    double.fault("reply", reply=Reply(200, b"[" + b"1," * 300_000 + b"1]"))
    with pytest.raises(ServerTrouble, match="over 256 KiB"):
        x.fetch(account(double))


@pytest.mark.parametrize(
    "body",
    [{"data": {"id": 17}}, {"data": []}, [], {"data": {"id": "../x"}}, "just a string"],
)
def test_an_answer_of_the_wrong_shape_is_server_trouble(double, x, body):
    double.fault("reply", reply=Reply(201, body))
    with pytest.raises(ServerTrouble, match=r"names no post|instead of JSON"):
        x.publish(account(double), POST)


def test_a_timeline_of_the_wrong_shape_reads_as_nothing_new(double, x):
    double.fault("reply", reply=Reply(200, {"data": [1, "two", {"id": None}, {"text": "x"}]}))
    assert x.fetch(account(double)).items == []


def test_hostile_error_words_are_cleaned_and_bounded(double, x):
    evil = "\x1b]0;pwned\x07bad\x1b[31m thing " + "z" * 500
    double.fault("reply", reply=Reply(400, {"title": "Invalid", "detail": evil, "status": 400}))
    with pytest.raises(Rejected) as refused:
        x.publish(account(double), POST)
    message = _one_clean_line(refused.value)
    assert "\x1b" not in message and "\x07" not in message and len(message) < 300


def test_an_unreachable_server_is_unreachable_and_nothing_was_sent(x):
    source = Source(url=f"http://127.0.0.1:{free_port()}", handle="@alice", secret="t0ken")
    with pytest.raises(Unreachable) as down:
        x.publish(source, POST)
    assert not down.value.reached_server and down.value.retry


def test_something_that_is_no_url_is_rejected(x):
    with pytest.raises(Rejected, match="not a X API address"):
        x.verify(Source(url="ftp://example.org", secret="t"))


def test_an_expired_token_injected_by_the_server_is_auth_failed_without_a_refresh_token(double, x):
    double.fault("expired")
    with pytest.raises(AuthFailed, match="re-authorise"):
        x.fetch(account(double))
