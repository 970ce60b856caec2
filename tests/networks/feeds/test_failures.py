"""What goes wrong fetching a feed becomes one clear line and a retry-or-not decision;
nothing already stored is lost."""

from __future__ import annotations

import gzip
import time

import pytest

from personae.networks.base import Source
from personae.networks.errors import NetworkError, RateLimited, Rejected, ServerTrouble, Unreachable
from personae.networks.feeds import FeedNetwork
from personae.networks.sync import SyncEngine
from personae.store import Persona, Store
from tests.networks.feeds.conftest import TEST_LIMITS
from tests.networks.feeds.documents import cookies, rss2
from tests.support.feed_server import FeedServer, Reply
from tests.support.ports import free_port

SECRET = "token=s3cret-feed-key"


def refused_url() -> str:
    """An address on 127.0.0.1 where nothing listens: a port taken, then released."""
    return f"http://127.0.0.1:{free_port()}/feed.xml?{SECRET}"


def fetch_error(network: FeedNetwork, url: str) -> NetworkError:
    with pytest.raises(NetworkError) as caught:
        network.fetch(Source(url=url))
    return caught.value


def assert_one_clear_line(error: NetworkError) -> None:
    """Users read this: one line, no traceback, and never the feed's private path or query."""
    message = str(error)
    assert message and "\n" not in message and "Traceback" not in message
    assert SECRET not in message and "s3cret" not in message


def test_a_server_that_does_not_answer_times_out_with_a_clear_message(
    server: FeedServer, network: FeedNetwork
) -> None:
    url = server.serve("/slow", Reply(body=rss2(cookies(1)), delay=TEST_LIMITS.read + 1.5))
    started = time.monotonic()
    error = fetch_error(network, url + "?" + SECRET)
    assert time.monotonic() - started < TEST_LIMITS.read + 1.0
    assert isinstance(error, ServerTrouble) and error.retry
    assert str(error) == f"127.0.0.1:{server.port} did not answer within {TEST_LIMITS.read:g} s"
    assert_one_clear_line(error)


def test_a_trickling_body_is_abandoned_at_the_total_deadline(
    server: FeedServer, network: FeedNetwork
) -> None:
    """Each chunk arrives within the read timeout, but the whole takes too long."""
    body = rss2(cookies(50))
    trickle = TEST_LIMITS.read * 0.6
    url = server.serve("/trickle", Reply(body=body, chunk=len(body) // 20, trickle=trickle))
    started = time.monotonic()
    error = fetch_error(network, url)
    assert time.monotonic() - started < TEST_LIMITS.total + TEST_LIMITS.read + 0.5
    assert isinstance(error, ServerTrouble)
    assert "took longer than" in str(error) and f"{TEST_LIMITS.total:g} s" in str(error)


def test_an_endless_body_is_refused_at_the_size_limit(
    server: FeedServer, network: FeedNetwork
) -> None:
    url = server.serve("/endless", Reply(endless=True, body=b"<rss>" + b"x" * 4096))
    started = time.monotonic()
    error = fetch_error(network, url)
    assert time.monotonic() - started < 2.0
    assert isinstance(error, Rejected) and not error.retry
    assert str(error) == f"the feed at 127.0.0.1:{server.port} is larger than 256 kB; not read"


def test_a_declared_length_over_the_limit_is_refused_before_reading(
    server: FeedServer, network: FeedNetwork
) -> None:
    body = b"<rss>" + b" " * (TEST_LIMITS.max_bytes + 1)
    url = server.serve("/big", Reply(body=body, trickle=5.0, chunk=1024))
    started = time.monotonic()
    assert isinstance(fetch_error(network, url), Rejected)
    assert time.monotonic() - started < 2.0  # did not wait for the trickle


def test_a_compressed_bomb_is_stopped_at_the_decompressed_size(
    server: FeedServer, network: FeedNetwork
) -> None:
    """A few kB of gzip that inflate to 20 MB: the limit counts what it decompresses to."""
    bomb = gzip.compress(b"<rss>" + b" " * (20 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    url = server.serve("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    assert "larger than" in str(fetch_error(network, url))


def test_a_broken_compressed_body_is_a_clear_server_error(
    server: FeedServer, network: FeedNetwork
) -> None:
    url = server.serve(
        "/bad", Reply(body=b"\x1f\x8bnot gzip", headers={"Content-Encoding": "gzip"})
    )
    error = fetch_error(network, url)
    assert isinstance(error, ServerTrouble)
    assert "does not decompress" in str(error)


def test_a_truncated_body_is_reported_as_broken_off(
    server: FeedServer, network: FeedNetwork
) -> None:
    body = rss2(cookies(5))
    url = server.serve("/cut", Reply(body=body, truncate=len(body) // 2))
    error = fetch_error(network, url)
    assert isinstance(error, ServerTrouble) and error.retry
    assert "broke off its answer" in str(error)
    assert_one_clear_line(error)


@pytest.mark.parametrize(
    ("status", "kind", "message", "retry"),
    [
        (404, Rejected, "has no feed at this address (404 Not Found)", False),
        (401, Rejected, "refuses to serve this feed (401 Unauthorized)", False),
        (403, Rejected, "refuses to serve this feed (403 Forbidden)", False),
        (500, ServerTrouble, "has trouble (500 Internal Server Error)", True),
        (503, ServerTrouble, "has trouble (503 Service Unavailable)", True),
        (400, Rejected, "refused the request (400 Bad Request)", False),
    ],
)
def test_http_errors_become_one_line_with_a_retry_decision(
    status: int,
    kind: type[NetworkError],
    message: str,
    retry: bool,
    server: FeedServer,
    network: FeedNetwork,
) -> None:
    url = server.serve("/feed", Reply(status=status, body=b"<html>oops</html>"))
    error = fetch_error(network, f"{url}?{SECRET}")
    assert type(error) is kind and error.retry is retry
    assert str(error) == f"127.0.0.1:{server.port} {message}"
    assert_one_clear_line(error)


def test_429_carries_the_servers_retry_after(server: FeedServer, network: FeedNetwork) -> None:
    url = server.serve("/feed", Reply(status=429, headers={"Retry-After": "120"}))
    error = fetch_error(network, url)
    assert isinstance(error, RateLimited) and error.retry and error.retry_after == 120
    assert str(error).endswith("asks to slow down (429 Too Many Requests); try again in 120 s")


def test_a_refused_connection_is_unreachable_and_sent_nothing(network: FeedNetwork) -> None:
    error = fetch_error(network, refused_url())
    assert isinstance(error, Unreachable) and error.retry and not error.reached_server
    assert str(error).startswith("cannot connect to 127.0.0.1:")
    assert "Connection refused" in str(error)
    assert_one_clear_line(error)


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (
            Reply(body=b"<!DOCTYPE html><html><body>Hi</body></html>", content_type="text/html"),
            "sent a web page, not a feed",
        ),
        (
            Reply(body=b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png"),
            "sent a file of type image/png, not a feed",
        ),
        (Reply(body=b"  \n", content_type="text/xml"), "sent an empty answer instead of a feed"),
    ],
    ids=["web page", "image", "empty"],
)
def test_an_answer_that_is_not_a_feed_says_what_it_was(
    reply: Reply, message: str, server: FeedServer, network: FeedNetwork
) -> None:
    url = server.serve("/feed", reply)
    assert str(fetch_error(network, url)) == f"127.0.0.1:{server.port} {message}"


@pytest.mark.parametrize(
    "url", ["ftp://example.org/feed", "file:///etc/passwd", "example.org/feed", "http://"]
)
def test_addresses_that_are_not_web_addresses_are_refused_without_a_request(
    url: str, network: FeedNetwork
) -> None:
    error = fetch_error(network, url)
    assert isinstance(error, Rejected)
    assert str(error) == "not a feed address (expected http:// or https://)"


def test_a_server_failure_during_sync_loses_nothing_and_is_reported_once(
    store: Store, work: Persona, server: FeedServer, engine: SyncEngine
) -> None:
    url = server.serve("/feed", Reply(body=rss2(cookies(3)), etag='"v1"'))
    feed = store.feeds.add(work, url)
    engine.run(work.id, publish=False)
    for reply in (Reply(status=500), Reply(status=404), Reply(body=b"<html>login</html>")):
        server.serve("/feed", reply)
        report = engine.run(work.id, publish=False)
        assert len(report.errors) == 1 and report.errors[0].startswith(f"Work: {url}: ")
        assert "\n" not in report.errors[0]
        stored = store.feeds.get(feed.id)
        assert stored.state == "active" and stored.etag == '"v1"'
        assert stored.last_error == report.errors[0].removeprefix(f"Work: {url}: ")
        assert store.timeline.count(work.id) == 3


def test_sync_with_the_feeds_server_down_reports_offline_and_keeps_everything(
    store: Store, work: Persona, server: FeedServer, engine: SyncEngine
) -> None:
    store.feeds.add(work, server.serve("/feed", Reply(body=rss2(cookies(2)))))
    engine.run(work.id, publish=False)
    down = store.feeds.add(work, refused_url())
    server.stop()  # now neither feed can be reached
    report = engine.run(work.id, publish=False)
    assert report.offline and len(report.errors) == 2
    assert store.timeline.count(work.id) == 2
    assert store.feeds.get(down.id).last_error.startswith("cannot connect to 127.0.0.1:")
    assert all("Traceback" not in line and "\n" not in line for line in report.lines())


def test_slow_redirects_add_up_to_the_total_deadline(
    server: FeedServer, network: FeedNetwork
) -> None:
    """Each hop answers within the read timeout; together they pass the total limit, and
    the fetch stops there even though the last answer would be a bodiless 304."""
    hop = TEST_LIMITS.read * 0.8
    server.serve("/feed", Reply(body=rss2(cookies(1)), etag='"v1"', delay=hop))
    server.serve("/c", Reply(status=302, headers={"Location": "/feed"}, delay=hop))
    server.serve("/b", Reply(status=302, headers={"Location": "/c"}, delay=hop))
    a = server.serve("/a", Reply(status=302, headers={"Location": "/b"}, delay=hop))
    started = time.monotonic()
    with pytest.raises(ServerTrouble) as caught:
        network.fetch(Source(url=a, etag='"v1"'))
    assert time.monotonic() - started < TEST_LIMITS.total + TEST_LIMITS.read + 0.5
    assert "took longer than" in str(caught.value)
