"""Exactly once without an idempotency key: after an answer that never came, the post is
looked up among the account's own recent posts before anything is sent again; X's
"duplicate content" refusal means the post is already there."""

from __future__ import annotations

import time

import pytest

from personae.networks.base import Post
from personae.networks.errors import Rejected, ServerTrouble
from tests.networks.x.conftest import account

TWEETS = "/2/tweets"


def _post(text: str, attempted: float | None = None) -> Post:
    at = time.time() if attempted is None else attempted
    return Post(text=text, idem_key="k", details={"attempted_at": at})


def _retry(x, source, post):
    """What the sync engine does after an unknown outcome: look first, send if not found."""
    return x.find_published(source, post) or x.publish(source, post)


def test_an_answer_lost_after_the_post_was_made_is_found_not_sent_again(double, x):
    post = _post("Lost in transit")
    double.fault("lost", method="POST", path=TWEETS)
    with pytest.raises(ServerTrouble) as lost:
        x.publish(account(double), post)
    assert lost.value.retry and lost.value.reached_server

    found = _retry(x, account(double), post)

    [made] = double.posts_of("alice")
    assert found.remote_id == made.id
    assert len(double.requests_to(TWEETS, "POST")) == 1  # the retry sent nothing


@pytest.mark.slow
def test_a_slow_answer_that_timed_out_is_found_not_sent_again(double, x):
    post = _post("Slow but sure")
    double.fault("slow", method="POST", path=TWEETS, delay=1.5)
    with pytest.raises(ServerTrouble, match="did not answer in time"):
        x.publish(account(double), post)

    found = _retry(x, account(double), post)

    assert [t.id for t in double.posts_of("alice")] == [found.remote_id]


def test_a_server_error_after_the_post_was_made_is_found_not_sent_again(double, x):
    post = _post("Made, then 503")
    double.fault("error", method="POST", path=TWEETS, status=503, commit=True)
    with pytest.raises(ServerTrouble, match="503"):
        x.publish(account(double), post)

    found = _retry(x, account(double), post)

    assert [t.id for t in double.posts_of("alice")] == [found.remote_id]


def test_a_server_error_before_anything_was_made_finds_nothing_and_the_retry_posts(double, x):
    post = _post("Not made, 503")
    double.fault("error", method="POST", path=TWEETS, status=503)
    with pytest.raises(ServerTrouble):
        x.publish(account(double), post)

    assert x.find_published(account(double), post) is None
    published = _retry(x, account(double), post)
    assert [t.id for t in double.posts_of("alice")] == [published.remote_id]


def test_the_look_up_costs_one_request(double, x):
    x.find_published(account(double), Post("anything", "k", {"attempted_at": time.time()}))
    assert len(double.requests_to(r".*")) == 1  # the user id comes from the session or here


def test_the_look_up_matches_text_as_x_gives_it_back(double, x):
    """X escapes & < > and wraps links in t.co; the look-up compares through both."""
    post = _post("Tom & Jerry <3 https://example.org/a/very/long/path?q=1")
    double.fault("lost", method="POST", path=TWEETS)
    with pytest.raises(ServerTrouble):
        x.publish(account(double), post)

    found = x.find_published(account(double), post)

    assert found is not None and found.remote_id == double.posts_of("alice")[0].id


def test_the_same_words_posted_before_the_attempt_are_not_taken_for_it(double, x):
    double.post_as("alice", "Good morning", ago=3600)
    assert x.find_published(account(double), _post("Good morning")) is None


def test_duplicate_content_after_a_lost_answer_means_already_there(double, x):
    post = _post("Exactly once, please")
    double.fault("lost", method="POST", path=TWEETS)
    with pytest.raises(ServerTrouble):
        x.publish(account(double), post)

    again = x.publish(account(double), post)  # no look-up first: X refuses the duplicate

    [made] = double.posts_of("alice")
    assert again.remote_id == made.id


def test_duplicate_content_of_an_older_post_is_refused_not_taken_for_this_one(double, x):
    double.post_as("alice", "Same old words", ago=3600)
    with pytest.raises(Rejected, match="duplicate") as refused:
        x.publish(account(double), _post("Same old words"))
    assert not refused.value.retry and double.count_posts("alice") == 1


def test_without_a_stored_attempt_time_the_look_up_covers_the_last_day(double, x):
    double.post_as("alice", "From this morning", ago=5 * 3600)
    found = x.find_published(account(double), Post("From this morning", "k"))
    assert found is not None
