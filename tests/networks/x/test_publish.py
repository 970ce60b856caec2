"""Publishing to X: a post, a reply, a delete, and what the API refuses."""

from __future__ import annotations

import time

import pytest

from personae.networks.base import Post
from personae.networks.errors import Rejected
from tests.networks.x.conftest import account


def _post(text: str, **details: object) -> Post:
    return Post(text=text, idem_key="k", details={"attempted_at": time.time(), **details})


def test_publish_creates_one_post_and_returns_its_id_and_link(double, x):
    published = x.publish(account(double), _post("Hello from personae"))

    [made] = double.posts_of("alice")
    assert published.remote_id == made.id and made.text == "Hello from personae"
    assert published.url == f"https://x.com/alice/status/{made.id}"


def test_a_reply_goes_to_the_post_named_in_the_details(double, x):
    target = double.post_as("bob", "What do you think?")

    x.publish(account(double), _post("I agree", reply_to=target))

    [reply] = double.posts_of("alice")
    assert reply.reply_to == target


def test_a_reply_to_a_post_that_does_not_exist_is_rejected_with_the_servers_words(double, x):
    with pytest.raises(Rejected, match="does not exist") as refused:
        x.publish(account(double), _post("Into the void", reply_to="12345"))
    assert not refused.value.retry and double.count_posts("alice") == 0


def test_delete_removes_the_post_and_a_second_delete_is_not_an_error(double, x):
    post_id = x.publish(account(double), _post("Short-lived")).remote_id

    x.delete(account(double), post_id)
    x.delete(account(double), post_id)

    assert double.count_posts("alice") == 0


def test_delete_refuses_what_is_no_post_id_before_sending(double, x):
    with pytest.raises(Rejected, match="not an X post id"):
        x.delete(account(double), "../users/me")
    assert double.requests_to(r".*") == []


def test_what_the_server_finds_too_long_is_rejected_and_not_retried(double, x):
    with pytest.raises(Rejected, match="too long") as refused:
        x.publish(account(double), _post("x" * 281))
    assert not refused.value.retry


def test_a_post_is_sent_as_the_api_takes_it(double, x):
    x.publish(
        account(double), _post("Checked against the spec", reply_to=double.post_as("bob", "?"))
    )

    [sent] = double.requests_to("/2/tweets", "POST")
    assert sent.headers["authorization"] == f"Bearer {double.token('alice')}"
    assert sent.json()["reply"] == {"in_reply_to_tweet_id": double.posts_of("bob")[0].id}
    assert double.violations == []  # the fixture checks this too, after every test
