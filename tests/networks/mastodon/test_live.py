"""The Mastodon adapter against mastodon-mock, a Mastodon API double served on loopback:
log in, the OAuth app flow, exactly-once publishing, the paged home timeline, delete, the
500-character limit, and every way a server can fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from personae.networks.base import Post, Source
from personae.networks.errors import AuthFailed, RateLimited, Rejected, ServerTrouble, Unreachable
from personae.networks.mastodon import MastodonNetwork, authorize_url, exchange_code, register_app
from tests.networks.mastodon.sources import account, grant_in_browser
from tests.support.feed_server import FeedServer, Reply
from tests.support.ports import free_port

STATUSES = "/api/v1/statuses"


# -- logging in -----------------------------------------------------------------------------


def test_verify_names_the_account_on_its_instance(double, mastodon):
    verified = mastodon.verify(account(double, "alice"))
    assert verified.handle == "@alice@127.0.0.1"
    assert verified.display_name == "Alice"


def test_a_wrong_token_is_refused_with_the_instance_named_and_the_token_not(double, mastodon):
    wrong = Source(url=double.url, handle="alice", secret="not-a-token-4711")
    with pytest.raises(AuthFailed) as refused:
        mastodon.verify(wrong)
    message = str(refused.value)
    assert f"127.0.0.1:{double.port}" in message and "401" in message
    assert "not-a-token-4711" not in message and "\n" not in message
    assert not refused.value.retry


def test_no_token_at_all_is_refused_before_anything_is_sent(double, mastodon):
    with pytest.raises(AuthFailed, match="no access token"):
        mastodon.verify(Source(url=double.url, handle="alice"))


def test_something_that_is_no_url_is_rejected(mastodon):
    with pytest.raises(Rejected, match="not a Mastodon instance URL"):
        mastodon.verify(Source(url="ftp://example.org", secret="t"))


def test_the_oauth_app_flow_gives_a_token_that_logs_in(double, mastodon):
    client_id, client_secret = register_app(double.url)
    url = authorize_url(double.url, client_id)
    assert url.startswith(f"{double.url}/oauth/authorize?")
    assert f"client_id={client_id}" in url and "response_type=code" in url
    code = grant_in_browser(double.url, url, "carol")

    token = exchange_code(double.url, client_id, client_secret, code)

    assert mastodon.verify(Source(url=double.url, secret=token)).handle == "@carol@127.0.0.1"


def test_a_refused_authorization_code_is_auth_failed(double):
    client_id, client_secret = register_app(double.url)
    with pytest.raises(AuthFailed, match="refused the authorization"):
        exchange_code(double.url, client_id, client_secret, "a-code-nobody-issued")


# -- publishing -----------------------------------------------------------------------------


def test_publish_returns_the_status_and_the_post_is_there(double, mastodon):
    published = mastodon.publish(account(double), Post(text="Hello, fediverse", idem_key="k-1"))

    [status] = double.statuses("alice")
    assert published.remote_id == status["id"]
    assert published.url == status["url"]
    assert "Hello, fediverse" in status["content"]


def test_the_same_idempotency_key_retried_gives_exactly_one_status(double, mastodon):
    post = Post(text="Only once, please", idem_key="0b1e1d8c-retry")
    first = mastodon.publish(account(double), post)
    again = mastodon.publish(account(double), post)

    assert again.remote_id == first.remote_id
    assert double.count_statuses("alice") == 1


def test_different_idempotency_keys_are_different_posts(double, mastodon):
    mastodon.publish(account(double), Post(text="same words", idem_key="key-a"))
    mastodon.publish(account(double), Post(text="same words", idem_key="key-b"))
    assert double.count_statuses("alice") == 2


def test_an_answer_lost_to_a_timeout_then_retried_is_still_one_status(double, relay):
    """The server made the post but its answer never came back: the retry finds it."""
    impatient = MastodonNetwork(timeout=(5.0, 0.5))
    alice = Source(url=relay.url, handle="alice", secret=double.token("alice"))
    post = Post(text="Did it go out?", idem_key="lost-answer")
    relay.hold_answers()
    with pytest.raises(ServerTrouble) as lost:
        impatient.publish(alice, post)
    assert lost.value.retry and lost.value.reached_server
    assert relay.wait_for_held_answer().startswith(b"HTTP/1.1 200")  # the post was made
    relay.pass_answers()

    retried = impatient.publish(alice, post)

    assert [s["id"] for s in double.statuses("alice")] == [retried.remote_id]


def test_a_post_the_server_finds_too_long_is_rejected_with_its_message(double, mastodon):
    with pytest.raises(Rejected) as refused:
        mastodon.publish(account(double), Post(text="x" * 501, idem_key="too-long"))
    assert "Text is too long" in str(refused.value)
    assert not refused.value.retry and double.count_statuses("alice") == 0


# -- the 500-character limit, counted as Mastodon counts --------------------------------------


def test_a_full_500_character_post_with_a_short_link_publishes(double, mastodon):
    text = "x" * 476 + " https://a.io"  # 489 typed, 500 counted
    assert mastodon.check_length(text) is None and mastodon.length(text) == 500
    mastodon.publish(account(double), Post(text=text, idem_key="full"))
    assert double.count_statuses("alice") == 1


# -- the home timeline ----------------------------------------------------------------------


def test_a_first_fetch_reads_the_newest_page_and_keeps_its_newest_id(double, mastodon):
    ids = [double.post_as("bob", f"bob says {n}")["id"] for n in range(45)]

    result = mastodon.fetch(account(double))

    assert [item.remote_id for item in result.items] == ids[::-1][:40]
    assert result.cursor == ids[-1]
    assert result.items[0].author == "Bob (@bob@127.0.0.1)"
    assert result.items[0].text == "bob says 44"
    assert result.items[0].url == f"{double.url}/@bob/{ids[-1]}"


def test_a_fetch_follows_the_pages_from_the_cursor_and_brings_each_status_once(double):
    pages_of_ten = MastodonNetwork(page_size=10)
    cursor = double.post_as("bob", "already seen")["id"]
    ids = [double.post_as("bob", f"new {n}")["id"] for n in range(25)]

    result = pages_of_ten.fetch(account(double, cursor=cursor))

    assert [item.remote_id for item in result.items] == ids[::-1]  # 3 pages, newest first
    assert result.cursor == ids[-1]
    again = pages_of_ten.fetch(account(double, cursor=result.cursor))
    assert again.items == [] and again.cursor == result.cursor


def test_a_long_absence_is_read_in_capped_steps_without_gaps(double):
    two_pages = MastodonNetwork(page_size=5, max_pages=2)
    cursor = double.post_as("bob", "seen")["id"]
    ids = [double.post_as("bob", f"n{n}")["id"] for n in range(13)]

    first = two_pages.fetch(account(double, cursor=cursor))
    second = two_pages.fetch(account(double, cursor=first.cursor))

    assert [i.remote_id for i in first.items] == ids[:10][::-1]
    assert [i.remote_id for i in second.items] == ids[10:][::-1]


def test_a_boost_shows_the_original_author_and_who_boosted(double, mastodon):
    original = double.post_as("carol", "carol's thought")
    double.boost_as("bob", original["id"])

    [boost] = mastodon.fetch(account(double)).items

    assert boost.author == "Carol (@carol@127.0.0.1)"
    assert boost.title == "boosted by Bob (@bob@127.0.0.1)"
    assert boost.text == "carol's thought"
    assert boost.url == original["url"]


def test_a_content_warning_stays_visible_before_the_text(double, mastodon):
    double.post_as("bob", "the ending of the film", spoiler_text="film spoilers")
    [item] = mastodon.fetch(account(double)).items
    assert item.text == "CW: film spoilers\n\nthe ending of the film"


def test_status_html_becomes_plain_text_and_markup_stays_literal(double, mastodon):
    double.post_as("bob", "a <b>bold</b> claim [@click=app.quit] & more\nsecond line")
    [item] = mastodon.fetch(account(double)).items
    assert item.text == "a <b>bold</b> claim [@click=app.quit] & more\nsecond line"


def test_only_the_home_timeline_is_read(double, mastodon):
    double.post_as("carol", "alice does not follow carol")
    double.post_as("alice", "alice's own post")
    assert [i.text for i in mastodon.fetch(account(double)).items] == ["alice's own post"]


# -- deleting -------------------------------------------------------------------------------


def test_delete_removes_the_status_and_a_second_delete_is_harmless(double, mastodon):
    published = mastodon.publish(account(double), Post(text="regrettable", idem_key="oops"))
    mastodon.delete(account(double), published.remote_id)
    assert double.count_statuses("alice") == 0
    mastodon.delete(account(double), published.remote_id)  # already gone: nothing to do


def test_deleting_someone_elses_status_is_refused(double, mastodon):
    theirs = double.post_as("bob", "bob's")
    with pytest.raises(AuthFailed, match="403"):
        mastodon.delete(account(double), theirs["id"])
    assert double.count_statuses("bob") == 1


# -- when the server cannot or will not answer ----------------------------------------------


def test_a_server_that_is_down_is_unreachable_and_nothing_was_sent(mastodon):
    port = free_port()  # nobody listens there
    down = Source(url=f"http://127.0.0.1:{port}", secret="alice_token")
    with pytest.raises(Unreachable) as refused:
        mastodon.publish(down, Post(text="hello?", idem_key="down"))
    assert str(refused.value) == f"127.0.0.1:{port}: connection refused"
    assert refused.value.retry and not refused.value.reached_server


def test_429_is_rate_limited_with_the_servers_retry_after(double, mastodon):
    double.fault("ratelimit", path=STATUSES, headers={"Retry-After": "120"}, count=1)
    with pytest.raises(RateLimited) as limited:
        mastodon.publish(account(double), Post(text="too soon", idem_key="rl"))
    assert limited.value.retry_after == 120
    assert limited.value.retry and "too many requests" in str(limited.value)
    assert double.count_statuses("alice") == 0


def test_429_without_retry_after_waits_for_the_rate_limit_reset(double, mastodon):
    """Mastodon itself sends X-RateLimit-Reset as an ISO time."""
    reset = (datetime.now(UTC) + timedelta(seconds=90)).isoformat().replace("+00:00", "Z")
    double.fault("status", status=429, path=STATUSES, headers={"X-RateLimit-Reset": reset})
    with pytest.raises(RateLimited) as limited:
        mastodon.publish(account(double), Post(text="too soon", idem_key="rl"))
    assert 85 <= limited.value.retry_after <= 92  # against the Date header, whole seconds


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_is_server_trouble_worth_retrying(double, mastodon, status):
    double.fault("status", status=status, path=STATUSES, count=1)
    with pytest.raises(ServerTrouble, match=f"server error {status}") as trouble:
        mastodon.publish(account(double), Post(text="hello", idem_key="5xx"))
    assert trouble.value.retry and trouble.value.reached_server


def test_an_invalid_json_answer_is_server_trouble(double, mastodon):
    double.fault("malformed", path="/api/v1/timelines/home", count=1)
    with pytest.raises(ServerTrouble, match="invalid or truncated answer"):
        mastodon.fetch(account(double))


def test_an_answer_that_does_not_come_times_out_as_server_trouble(double, relay):
    relay.hold_answers()  # the server answers; the answer never arrives
    alice = Source(url=relay.url, handle="alice", secret=double.token("alice"))
    with pytest.raises(ServerTrouble, match="timed out waiting for the answer") as trouble:
        MastodonNetwork(timeout=(5.0, 0.5)).fetch(alice)
    assert trouble.value.retry and trouble.value.reached_server


def test_an_answer_cut_off_mid_body_is_server_trouble(mastodon):
    body = b'{"id":"1","username":"alice","acct":"alice","display_name":"Alice"}'
    with FeedServer() as server:
        server.serve(
            "/api/v1/accounts/verify_credentials",
            Reply(body=body, content_type="application/json", truncate=20),
        )
        with pytest.raises(ServerTrouble, match="broke off"):
            mastodon.verify(Source(url=server.url(), secret="alice_token"))


def test_a_web_page_instead_of_the_api_is_server_trouble(mastodon):
    with FeedServer() as server:
        server.serve(
            "/api/v1/accounts/verify_credentials",
            Reply(body=b"<html>Welcome to the hotel wifi</html>", content_type="text/html"),
        )
        with pytest.raises(ServerTrouble, match="invalid or truncated answer"):
            mastodon.verify(Source(url=server.url(), secret="alice_token"))
