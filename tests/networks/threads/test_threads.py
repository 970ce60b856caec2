"""Threads: the two-step publish with the container stored in between, the container's
status deciding what a retry does, reading own posts and their replies, and errors."""

from __future__ import annotations

import time
from typing import Any

import pytest

from personae.networks.base import Post, Source
from personae.networks.errors import AuthFailed, RateLimited, ServerTrouble
from tests.networks.threads.conftest import account
from tests.support.api_double import Reply

PUBLISH = r"/v1\.0/\d+/threads_publish"
CREATE = r"/v1\.0/\d+/threads"


class Outbox:
    """What the outbox will do with a checkpoint: keep the details for the next attempt."""

    def __init__(self, text: str) -> None:
        self.details: dict[str, Any] = {"attempted_at": time.time()}
        self.text = text

    def post(self) -> Post:
        return Post(self.text, "k", dict(self.details), checkpoint=self.details.update)


def test_verify_names_the_user_and_stores_the_id(double, threads):
    verified = threads.verify(Source(url=double.url, secret=double.token("alice")))
    assert verified.handle == "@alice" and '"user_id": "7001"' in verified.session


def test_publishing_makes_a_container_checkpoints_it_then_publishes_it(double, threads):
    outbox = Outbox("Hello, Threads")

    published = threads.publish(account(double), outbox.post())

    [container] = double.containers.values()
    assert outbox.details["container"] == container.id  # stored before threads_publish
    assert container.status == "PUBLISHED" and published.remote_id == container.media_id
    assert double.count_posts("alice") == 1


def test_the_checkpoint_comes_before_the_publish_request(double, threads):
    seen_at_checkpoint: list[int] = []
    post = Post(
        "order",
        "k",
        checkpoint=lambda d: seen_at_checkpoint.append(len(double.requests_to(PUBLISH))),
    )
    threads.publish(account(double), post)
    assert seen_at_checkpoint == [0]


def test_a_lost_publish_answer_then_retry_finds_the_published_post(double, threads):
    outbox = Outbox("Lost answer")
    double.fault("lost", method="POST", path=PUBLISH)
    with pytest.raises(ServerTrouble):
        threads.publish(account(double), outbox.post())

    again = threads.publish(account(double), outbox.post())  # status PUBLISHED: look it up

    assert double.count_posts("alice") == 1
    assert again.remote_id == double.media[0].id
    assert len(double.requests_to(CREATE, "POST")) == 1  # no second container


def test_a_crash_after_the_checkpoint_publishes_the_finished_container(double, threads):
    outbox = Outbox("Crashed before publishing")
    double.fault("error", method="POST", path=PUBLISH, status=503)  # nothing published
    with pytest.raises(ServerTrouble):
        threads.publish(account(double), outbox.post())

    published = threads.publish(account(double), outbox.post())  # FINISHED: publish it

    [container] = double.containers.values()
    assert published.remote_id == container.media_id and double.count_posts("alice") == 1


@pytest.mark.parametrize("status", ["EXPIRED", "ERROR"])
def test_a_dead_container_is_replaced_by_a_new_one(double, threads, status):
    outbox = Outbox("Try again tomorrow")
    double.fault("error", method="POST", path=PUBLISH, status=503)
    with pytest.raises(ServerTrouble):
        threads.publish(account(double), outbox.post())
    old = outbox.details["container"]
    double.containers[old].status = status

    threads.publish(account(double), outbox.post())

    assert outbox.details["container"] != old and double.count_posts("alice") == 1


def test_a_container_still_in_progress_is_waited_for(double, threads):
    double.new_containers_status = "IN_PROGRESS"
    outbox = Outbox("Not ready")
    with pytest.raises(ServerTrouble, match="not ready for publishing"):
        threads.publish(account(double), outbox.post())
    with pytest.raises(ServerTrouble, match="still being prepared"):
        threads.publish(account(double), outbox.post())
    double.containers[outbox.details["container"]].status = "FINISHED"

    threads.publish(account(double), outbox.post())

    assert len(double.containers) == 1 and double.count_posts("alice") == 1


def test_find_published_without_a_container_reads_own_posts_once(double, threads):
    post = Post("Found by text", "k", {"attempted_at": time.time()})
    double.fault("lost", method="POST", path=PUBLISH)
    with pytest.raises(ServerTrouble):
        threads.publish(account(double), post)  # no checkpoint callable
    before = len(double.seen)

    found = threads.find_published(account(double), post)

    assert found is not None and found.remote_id == double.media[0].id
    assert found.url.startswith("https://www.threads.net/@alice/post/")
    assert len(double.seen) == before + 1


def test_reading_gives_own_posts_and_their_replies_after_the_cursor(double, threads):
    mine = double.post_as("alice", "What do you think?", ago=120)
    answer = double.reply(mine, "bob", "Looks good", ago=60)

    first = threads.fetch(account(double))

    by_id = {item.remote_id: item for item in first.items}
    assert by_id[mine].author == "@alice" and by_id[answer].author == "@bob"
    assert by_id[answer].title == "reply to: What do you think?"
    later = double.reply(mine, "bob", "Another thought")
    second = threads.fetch(account(double, cursor=first.cursor))
    assert [item.remote_id for item in second.items] == [later]


def test_500_characters_pass_and_501_are_refused_before_sending(threads):
    assert threads.check_length("x" * 500) is None
    assert threads.check_length("x" * 501) == "501 characters, Threads allows 500"


def test_an_expired_token_asks_to_log_in_again(double, threads):
    double.fault("expired")
    with pytest.raises(AuthFailed, match="re-authorise") as refused:
        threads.publish(account(double), Outbox("x").post())
    assert double.token("alice") not in str(refused.value)


def test_a_rate_limit_is_honoured(double, threads):
    double.fault("ratelimit", wait=300)
    with pytest.raises(RateLimited) as limited:
        threads.fetch(account(double))
    assert limited.value.retry_after == 300


def test_a_broken_answer_to_the_container_request_is_server_trouble(double, threads):
    double.fault("reply", reply=Reply(200, b'{"id": "12'))
    with pytest.raises(ServerTrouble, match="malformed answer instead of JSON"):
        threads.publish(account(double), Outbox("x").post())
    assert double.count_posts("alice") == 0


@pytest.mark.slow
def test_a_slow_publish_answer_is_resolved_by_the_containers_status(double, threads):
    outbox = Outbox("Slow network")
    double.fault("slow", method="POST", path=PUBLISH, delay=1.5)
    with pytest.raises(ServerTrouble, match="did not answer in time"):
        threads.publish(account(double), outbox.post())

    again = threads.publish(account(double), outbox.post())

    assert [m.id for m in double.media] == [again.remote_id]
