"""The adapter reading what a real Mastodon 4.x server sent: the responses Mastodon.py's
own test suite recorded against a Mastodon dev server (../shared/corpus, replayed with
vcrpy; a request the recording does not hold fails the test, nothing goes out)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from personae.networks.base import Post
from personae.networks.errors import AuthFailed, Rejected
from personae.networks.mastodon import MastodonNetwork, status_item
from tests.networks.mastodon.sources import RECORDED, RECORDED_TOKEN, cassette, recorded

HOST = "localhost"
ME = "John Lennon (@mastodonpy_test@localhost)"


@pytest.fixture
def mastodon() -> MastodonNetwork:
    return MastodonNetwork()


def _client():
    """Mastodon.py itself, to replay a recorded call the adapter does not make (a boost)."""
    from mastodon import Mastodon

    return Mastodon(access_token=RECORDED_TOKEN, api_base_url=RECORDED)


def test_verify_reads_a_real_account(mastodon):
    with cassette("test_verify_credentials"):
        verified = mastodon.verify(recorded())
    assert verified.handle == "@mastodonpy_test@localhost"


def test_publish_reads_the_status_a_real_server_created_and_sends_the_key(mastodon):
    sent = []
    with cassette(
        "test_status_post[Content warning-public]",
        before_record_request=lambda request: sent.append(request) or request,
    ):
        published = mastodon.publish(recorded(), Post(text="Toot!", idem_key="idem-123"))
    assert published.remote_id == "117020586000687987"
    assert published.url == "http://localhost:3000/@mastodonpy_test/117020586000687987"
    ours = [r for r in sent if r.headers.get("User-Agent") == "personae"]  # not the recorded
    assert ours and all(r.headers["Idempotency-Key"] == "idem-123" for r in ours)


def test_a_first_fetch_reads_a_real_home_timeline(mastodon):
    with cassette("test_home_tl"):
        result = mastodon.fetch(recorded())

    assert len(result.items) == 13
    newest = result.items[0]
    assert (newest.remote_id, newest.author, newest.text) == ("117020593473214477", ME, "Toot!")
    assert newest.url == "http://localhost:3000/@mastodonpy_test/117020593473214477"
    assert newest.created == datetime(2026, 8, 1, 13, 55, 51, 777000, UTC).timestamp()
    assert result.cursor == "117020593473214477"
    texts = [item.text for item in result.items]
    assert "you can't say that on television" in texts  # entities decoded
    assert "@mastodonpy_test todo funny text here" in texts  # a mention's h-card is its text
    assert result.items[1].author == "@admin@localhost"  # no display name: the handle alone


def test_a_fetch_from_a_cursor_asks_for_what_came_after_it(mastodon):
    cursor = "117020594094053884"

    def same_min_id(r1, r2):
        assert dict(r1.query).get("min_id") == dict(r2.query).get("min_id")

    with cassette(
        "test_min_max_id",
        match_on=["method", "path", "min_id"],
        matchers={"min_id": same_min_id},
    ):
        result = mastodon.fetch(recorded(cursor))

    assert [item.remote_id for item in result.items] == ["117020594094054884"]
    assert result.cursor == "117020594094054884"


def test_a_revoked_token_on_a_real_server_is_auth_failed(mastodon):
    with cassette("test_unauthed_home_tl_throws"), pytest.raises(AuthFailed) as refused:
        mastodon.fetch(recorded())
    assert str(refused.value) == (
        "localhost:3000 refused the access token (401: The access token is invalid)"
    )


def test_a_real_validation_error_is_rejected_in_the_servers_own_words(mastodon):
    with cassette("test_lang_for_errors"), pytest.raises(Rejected) as refused:
        mastodon.publish(recorded(), Post(text="x" * 5000, idem_key="long"))
    message = str(refused.value)
    assert message.startswith("localhost:3000 refused it: バリデーションに失敗しました")
    assert "\n" not in message and len(message) < 260
    assert not refused.value.retry


def test_delete_accepts_what_a_real_server_answers(mastodon):
    with cassette("test_home_tl") as played:
        mastodon.delete(recorded(), "117020593473214477")
    assert any(r.method == "DELETE" for r in played.requests)


def test_a_real_boost_shows_its_original_author_and_who_boosted():
    with cassette("test_status_reblog_unreblog"):
        boost = _client().status_reblog("117020586019094258")

    item = status_item(boost, HOST)

    assert item.remote_id == "117020586027094262"  # the boost's own id, as the timeline has it
    assert (item.author, item.title, item.text) == (ME, f"boosted by {ME}", "Toot!")
    assert item.url == "http://localhost:3000/@mastodonpy_test/117020586019094258"


def test_a_real_content_warning_is_kept_before_the_text():
    with cassette("test_status_post[Content warning-public]"):
        status = _client().status_post("Toot!", spoiler_text="Content warning")
    assert status_item(status, HOST).text == "CW: Content warning\n\nToot!"


def test_real_media_attachments_are_named_with_their_description():
    with cassette("test_media_post[False]"):
        status = _client().status_post("LOL check this out")
    assert status_item(status, HOST).text == "LOL check this out\n[video: me when a cat]"
