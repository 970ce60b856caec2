"""Real-world feeds, read from ../shared/corpus at test time and served over HTTP on
127.0.0.1: feedparser's own test corpus (well-formed, ill-formed, encodings, entities),
feed-rs's fixtures (many are captures of real publishers' feeds) and node-feedparser's.

For each file: no exception but a one-line NetworkError; every item has a non-empty id,
the same on a second fetch; and no HTML tag is left in the text unless the feed wrote it
as text (escaped markup, or content declared plain).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from personae.networks.base import Source
from personae.networks.errors import NetworkError
from personae.networks.feeds import FeedNetwork
from tests.conftest import CORPUS, corpus
from tests.networks.feeds.conftest import TEST_LIMITS
from tests.support.feed_server import FeedServer

SETS = ("feedparser-tests", "feed-rs-fixtures", "node-feedparser-feeds")
NOT_FEEDS = {"LICENSE", "LICENSE-MIT", "SOURCE.txt"}
TAG = re.compile(r"<[a-zA-Z/!?][^>]*>")
ESCAPED_LT = re.compile(r"&(?:lt|#0*60|#x0*3c);?", re.IGNORECASE)
# feedparser's corpus files start with a comment that names the HTTP headers to send.
HEADER = re.compile(rb"^Header:\s*([\w-]+):[ \t]*(.*?)\s*$", re.MULTILINE)


def corpus_files() -> list[str]:
    """The feed files of the corpus, relative to it; one placeholder when it is absent,
    which the test turns into a skip."""
    if not CORPUS.exists():
        return ["(corpus absent)"]
    found = []
    for name in SETS:
        for path in sorted((CORPUS / name).rglob("*")):
            if path.is_file() and path.name not in NOT_FEEDS and ".serde." not in path.name:
                found.append(path.relative_to(CORPUS).as_posix())
    return found


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.fixture(scope="module")
def reader() -> Iterator[FeedNetwork]:
    adapter = FeedNetwork(TEST_LIMITS)
    yield adapter
    adapter.close()


def serve(server: FeedServer, file: Path) -> str:
    """Serve ``file`` with the headers its comment asks for (charset tests need them)."""
    options: dict = {"headers": {}}
    for name, value in HEADER.findall(file.read_bytes()[:2048]):
        key, text = name.decode().lower(), value.decode("latin-1")
        if key == "content-type":
            options["content_type"] = text
        elif text and key != "content-location":
            options["headers"][name.decode()] = text
    return server.serve_file("/" + file.name, file, **options)


def written_as_text(body: bytes) -> bool:
    """Whether some entry of the document holds markup as text: escaped inside HTML, or
    brackets in content declared plain. Such text legitimately shows "<b>"."""
    import feedparser

    data = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    for entry in data.get("entries", []):
        details = [entry.get(f"{key}_detail") for key in ("title", "summary", "author")]
        for detail in [*details, *(entry.get("content") or [])]:
            value, kind = (detail or {}).get("value") or "", (detail or {}).get("type", "")
            if ("html" in kind and ESCAPED_LT.search(value)) or (
                "html" not in kind and "<" in value
            ):
                return True
    return False


@pytest.mark.parametrize("name", corpus_files())
def test_a_real_world_feed_is_read_with_stable_ids_and_plain_text(
    name: str, corpus_server: FeedServer, reader: FeedNetwork
) -> None:
    file = corpus(name)
    url = serve(corpus_server, file)
    try:
        first = reader.fetch(Source(url=url))
    except NetworkError as error:  # not a feed at all, or empty: said in one line
        assert str(error) and "\n" not in str(error)
        return
    second = reader.fetch(Source(url=url))
    ids = [item.remote_id for item in first.items]
    assert all(ids), "every item has an id"
    assert len(set(ids)) == len(ids), "ids are unique within a fetch"
    assert ids == [item.remote_id for item in second.items], "ids are stable"
    assert all("\n" not in warning for warning in first.warnings)
    if not written_as_text(file.read_bytes()):
        for item in first.items:
            for field in (item.title, item.text, item.author):
                assert not TAG.search(field), field


def test_the_corpus_holds_many_feeds_with_items(reader: FeedNetwork) -> None:
    """The corpus test above is only worth something if the corpus is there and varied."""
    corpus()
    names = corpus_files()
    assert len(names) > 1000
    assert {n.split("/")[0] for n in names} == set(SETS)
