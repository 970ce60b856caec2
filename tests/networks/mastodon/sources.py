"""Where the Mastodon tests read and publish: an account on the double, or the account
Mastodon.py's cassettes were recorded with, replayed from ../shared/corpus."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from pathlib import Path

import httpx

from personae.networks.base import Source
from personae.networks.mastodon import OOB
from tests.conftest import corpus
from tests.support.mastodon_double import MastodonDouble

# The instance Mastodon.py's cassettes were recorded against, and the token they name.
RECORDED = "http://localhost:3000"
RECORDED_TOKEN = "__MASTODON_PY_TEST_ACCESS_TOKEN"


def account(double: MastodonDouble, user: str = "alice", cursor: str = "") -> Source:
    return Source(url=double.url, handle=user, secret=double.token(user), cursor=cursor)


def recorded(cursor: str = "") -> Source:
    return Source(url=RECORDED, handle="mastodonpy_test", secret=RECORDED_TOKEN, cursor=cursor)


def cassette(name: str, folder: str = "cassettes", **options) -> AbstractContextManager:
    """Replay one of Mastodon.py's recorded cassettes; a request it does not hold fails
    the test (nothing is ever recorded, nothing leaves the machine)."""
    import vcr

    path: Path = corpus("mastodon-py-cassettes", folder, f"{name}.yaml")
    matchers = options.pop("match_on", ["method", "path"])
    recorder = vcr.VCR(record_mode="none", match_on=matchers)
    for matcher_name, matcher in options.pop("matchers", {}).items():
        recorder.register_matcher(matcher_name, matcher)
    return recorder.use_cassette(str(path), **options)


def grant_in_browser(server: str, url: str, user: str) -> str:
    """What the user does in the browser: open the page, pick the account, read the code."""
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200 and f"@{user}" in page.text
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    chosen = httpx.post(f"{server}/oauth/authorize", data={**fields, "username": user}, timeout=10)
    assert fields["redirect_uri"] == OOB
    return re.search(r"code: (\S+?)<", chosen.text).group(1)
