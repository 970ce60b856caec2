"""Reading X: the home timeline and mentions, each from its own since_id cursor; and the
recorded real answers (tweepy's cassettes) replayed by the double."""

from __future__ import annotations

import json

from personae.networks.base import Source
from personae.networks.x import XNetwork, parse_cursor
from tests.networks.x.conftest import TEST_LIMITS, account


def test_a_first_read_has_home_and_mentions_with_authors_and_a_cursor(double, x):
    followed = double.post_as("bob", "From someone alice follows")
    mention = double.post_as("carol", "Hey @alice, a question")
    double.post_as("carol", "Nothing to do with alice")

    result = x.fetch(account(double))

    by_id = {item.remote_id: item for item in result.items}
    assert set(by_id) == {followed, mention}
    assert by_id[followed].author == "Bob (@bob)" and by_id[followed].title == ""
    assert by_id[mention].title == "mentions you"
    assert by_id[mention].url == f"https://x.com/carol/status/{mention}"
    assert parse_cursor(result.cursor) == {"home": followed, "mentions": mention}


def test_a_later_read_brings_only_what_came_after_the_cursor(double, x):
    double.post_as("bob", "old")
    cursor = x.fetch(account(double)).cursor
    newer = double.post_as("bob", "new")

    result = x.fetch(account(double, cursor=cursor))

    assert [item.remote_id for item in result.items] == [newer]
    home = double.requests_to(r"/2/users/1001/timelines/reverse_chronological")[-1]
    assert home.query["since_id"] == parse_cursor(cursor)["home"]


def test_nothing_new_keeps_the_cursor(double, x):
    double.post_as("bob", "only one")
    cursor = x.fetch(account(double)).cursor
    again = x.fetch(account(double, cursor=cursor))
    assert again.items == [] and again.cursor == cursor


def test_a_later_read_follows_pages_back_to_the_cursor(double):
    x = XNetwork(TEST_LIMITS)
    double.post_as("bob", "seen before")
    cursor = x.fetch(account(double)).cursor
    made = [double.post_as("bob", f"post {n}") for n in range(150)]  # two pages of 100

    result = x.fetch(account(double, cursor=cursor))

    assert {item.remote_id for item in result.items} == set(made)
    x.close()


def test_text_is_given_as_written_not_as_x_escapes_it(double, x):
    double.post_as("bob", "Fish & chips <3")
    [item] = x.fetch(account(double)).items
    assert item.text == "Fish & chips <3"


def test_the_recorded_home_timeline_of_a_real_account_reads(double, x):
    result = x.fetch(account(double, "tweepydev"))

    newest = result.items[0]
    assert newest.remote_id == "1578466218075312129"
    assert newest.text.startswith("Swift Playgrounds is frustrating.")
    assert newest.created == 1665170647.53  # no created_at asked for then: the id's time
    assert parse_cursor(result.cursor)["home"] == "1578466218075312129"


def test_the_recorded_mentions_of_a_real_account_read(double, x):
    result = x.fetch(account(double, "twitter"))
    assert result.items and all(item.title == "mentions you" for item in result.items)
    assert any("@Twitter" in item.text for item in result.items)


def test_an_account_stored_without_its_user_id_learns_it_once_and_returns_it(double, x):
    bare = Source(url=double.url, handle="@alice", secret=double.token("alice"))
    result = x.fetch(bare)
    assert json.loads(result.session) == {"user_id": "1001", "username": "alice"}
    assert len(double.requests_to("/2/users/me")) == 1


def test_verify_reads_the_recorded_account(double, x):
    verified = x.verify(account(double, "tweepydev"))
    assert (verified.handle, verified.display_name) == ("@TweepyDev", "Tweepy Testing")
    assert '"user_id": "1072250532645998596"' in verified.session
