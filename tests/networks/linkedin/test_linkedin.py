"""LinkedIn through the Posts API: publishing as the member or a page, the headers the API
requires, the new id from x-restli-id, exactly once without an idempotency key, a
publish-only network, tokens that expire after 60 days, and every error as one line."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from personae.networks.base import Post, Source
from personae.networks.errors import AuthFailed, RateLimited, Rejected, ServerTrouble
from personae.networks.linkedin import (
    VERSION,
    LinkedInNetwork,
    authorize_url,
    exchange_code,
    expiry_warning,
    token_expiry,
)
from tests.networks.linkedin.conftest import TEST_LIMITS, account
from tests.support.api_double import Reply

POSTS = "/rest/posts"


def _post(text: str, attempted: float | None = None) -> Post:
    return Post(text, "k", {"attempted_at": time.time() if attempted is None else attempted})


# -- logging in -------------------------------------------------------------------------------


def test_verify_makes_the_member_the_author(double, linkedin):
    bare = Source(url=double.url, secret=double.token("alice"))
    verified = linkedin.verify(bare)
    assert verified.handle == "urn:li:person:alice-sub"
    assert verified.display_name == "Alice Example"
    assert json.loads(verified.session)["author"] == "urn:li:person:alice-sub"


def test_verify_keeps_a_page_given_as_the_handle(double, linkedin):
    page = Source(url=double.url, handle=double.ORG, secret=double.token("alice"))
    assert linkedin.verify(page).handle == double.ORG


def test_a_page_urn_that_is_no_page_is_rejected(double, linkedin):
    with pytest.raises(Rejected, match="not a LinkedIn page URN"):
        linkedin.verify(Source(url=double.url, handle="my page", secret=double.token("alice")))


# -- publishing -------------------------------------------------------------------------------


def test_publish_as_the_member_takes_the_id_from_x_restli_id(double, linkedin):
    published = linkedin.publish(account(double), _post("Hello, network"))

    [share] = double.shares
    assert published.remote_id == share.urn and share.author == "urn:li:person:alice-sub"
    assert published.url == f"https://www.linkedin.com/feed/update/{share.urn}/"


def test_publish_as_a_page_posts_as_the_organization(double, linkedin):
    linkedin.publish(account(double, author=double.ORG), _post("News from the company"))
    assert double.count_posts(double.ORG) == 1 and double.count_posts("alice") == 0


def test_every_request_carries_the_version_and_protocol_headers(double, linkedin):
    linkedin.publish(account(double), _post("Headers"))
    [sent] = double.requests_to(POSTS, "POST")
    assert sent.headers["linkedin-version"] == VERSION
    assert sent.headers["x-restli-protocol-version"] == "2.0.0"
    body = sent.json()
    assert body["visibility"] == "PUBLIC" and body["lifecycleState"] == "PUBLISHED"
    assert body["distribution"]["feedDistribution"] == "MAIN_FEED"


def test_reserved_characters_are_escaped_so_the_post_shows_as_typed(double, linkedin):
    linkedin.publish(account(double), _post("Q&A (day 1) #launch @team a|b *x* \\"))
    [share] = double.shares
    assert share.commentary == "Q&A \\(day 1\\) \\#launch \\@team a\\|b \\*x\\* \\\\"


def test_a_retired_api_version_is_rejected_with_what_to_do(double):
    old = LinkedInNetwork(TEST_LIMITS, version="202301")
    with pytest.raises(Rejected, match="no longer serves API version 202301; update personae"):
        old.publish(account(double), _post("Old"))
    old.close()


def test_a_page_the_member_does_not_administer_is_refused(double, linkedin):
    with pytest.raises(AuthFailed, match="403"):
        linkedin.publish(account(double, "bob", author=double.ORG), _post("Not mine"))
    assert double.count_posts(double.ORG) == 0


def test_delete_removes_the_post_and_a_second_delete_is_not_an_error(double, linkedin):
    urn = linkedin.publish(account(double), _post("Short-lived")).remote_id
    linkedin.delete(account(double), urn)
    linkedin.delete(account(double), urn)
    assert double.count_posts("alice") == 0


# -- exactly once -----------------------------------------------------------------------------


def test_an_answer_lost_after_the_post_was_made_is_found_by_the_look_up(double, linkedin):
    post = _post("Lost answer")
    double.fault("lost", method="POST", path=POSTS)
    with pytest.raises(ServerTrouble):
        linkedin.publish(account(double), post)

    found = linkedin.find_published(account(double), post)

    [share] = double.shares
    assert found is not None and found.remote_id == share.urn


def test_the_look_up_costs_one_request_and_sees_through_little_text(double, linkedin):
    post = _post("Launch (day 1) #news")
    double.fault("error", method="POST", path=POSTS, status=502, commit=True)
    with pytest.raises(ServerTrouble):
        linkedin.publish(account(double), post)
    before = len(double.seen)

    found = linkedin.find_published(account(double), post)

    assert found is not None and len(double.seen) == before + 1


def test_a_post_from_before_the_attempt_is_not_taken_for_it(double, linkedin):
    double.post_as("alice", "Weekly update", ago=7200)
    assert linkedin.find_published(account(double), _post("Weekly update")) is None


def test_duplicate_post_after_a_lost_answer_returns_the_urn_linkedin_names(double, linkedin):
    post = _post("Once only")
    double.fault("lost", method="POST", path=POSTS)
    with pytest.raises(ServerTrouble):
        linkedin.publish(account(double), post)

    again = linkedin.publish(account(double), post)

    [share] = double.shares
    assert again.remote_id == share.urn and double.count_posts("alice") == 1


def test_without_permission_to_read_posts_the_duplicate_check_still_keeps_it_once(double, linkedin):
    """r_member_social is for partners: the look-up is refused (403), finds nothing, and
    the re-sent post is recognised as a duplicate instead."""
    source = account(double, read=False)
    post = _post("Members cannot list their posts")
    double.fault("lost", method="POST", path=POSTS)
    with pytest.raises(ServerTrouble):
        linkedin.publish(source, post)

    assert linkedin.find_published(source, post) is None
    again = linkedin.publish(source, post)

    assert double.count_posts("alice") == 1 and again.remote_id == double.shares[0].urn


# -- publish-only, and the token's 60 days ---------------------------------------------------


def test_linkedin_is_publish_only_and_reading_is_no_error(double, linkedin):
    assert linkedin.capabilities.publish_only and not linkedin.capabilities.read_only
    result = linkedin.fetch(account(double))
    assert result.items == [] and result.warnings == []
    assert double.seen == []  # nothing to ask


def test_an_expired_or_revoked_token_says_to_re_authorise(double, linkedin):
    double.revoke("alice")
    with pytest.raises(AuthFailed) as refused:
        linkedin.publish(account(double), _post("Too late"))
    message = str(refused.value)
    assert "re-authorise: personae account login" in message
    assert double.token("alice") not in message and "\n" not in message


def test_a_token_past_its_stored_expiry_is_refused_before_sending(double, linkedin):
    source = account(double)
    expired = Source(
        url=source.url,
        handle=source.handle,
        secret=source.secret,
        session=json.dumps({"author": source.handle, "expires_at": time.time() - 1}),
    )
    with pytest.raises(AuthFailed, match="expired; re-authorise"):
        linkedin.publish(expired, _post("x"))
    assert double.seen == []


def test_a_warning_comes_a_week_before_the_token_expires():
    now = 1_800_000_000.0
    soon = json.dumps({"expires_at": now + 5 * 86400})
    later = json.dumps({"expires_at": now + 30 * 86400})
    assert expiry_warning(soon, now) == (
        "the LinkedIn access token expires in 5 day(s); re-authorise: personae account login"
    )
    assert expiry_warning(later, now) is None and expiry_warning("", now) is None
    assert "has expired" in (expiry_warning(json.dumps({"expires_at": now - 1}), now) or "")


def test_the_oauth_code_flow_records_the_tokens_60_days(double, linkedin):
    url, state = authorize_url(
        "client", "http://127.0.0.1/cb", url=f"{double.url}/oauth/v2/authorization"
    )
    assert parse_qs(urlsplit(url).query)["scope"] == ["openid profile w_member_social"]
    redirected = double.grant(url, "bob")

    token, session = exchange_code(
        "client",
        "secret",
        redirected,
        redirect_uri="http://127.0.0.1/cb",
        state=state,
        token_url=f"{double.url}/oauth/v2/accessToken",
    )

    assert 59 * 86400 < (token_expiry(session) or 0) - time.time() <= 60 * 86400
    verified = linkedin.verify(Source(url=double.url, secret=token, session=session))
    assert verified.handle == "urn:li:person:bob-sub"
    assert token_expiry(verified.session) == token_expiry(session)


# -- errors -----------------------------------------------------------------------------------


def test_the_daily_limit_is_rate_limited_without_a_wait_linkedin_does_not_give(double, linkedin):
    double.fault("ratelimit", wait=0)
    with pytest.raises(RateLimited, match="daily limit") as limited:
        linkedin.publish(account(double), _post("x"))
    assert limited.value.retry_after is None


def test_a_retry_after_is_honoured_when_one_is_sent(double, linkedin):
    double.fault("ratelimit", wait=120)
    with pytest.raises(RateLimited) as limited:
        linkedin.publish(account(double), _post("x"))
    assert limited.value.retry_after == 120


@pytest.mark.parametrize("status", [500, 503, 504])
def test_server_errors_are_worth_retrying(double, linkedin, status):
    double.fault("error", status=status)
    with pytest.raises(ServerTrouble, match=str(status)):
        linkedin.publish(account(double), _post("x"))


def test_a_201_without_x_restli_id_is_server_trouble(double, linkedin):
    double.fault("reply", reply=Reply(201, b""))
    with pytest.raises(ServerTrouble, match="names no post"):
        linkedin.publish(account(double), _post("x"))


def test_a_web_page_for_an_error_is_one_clean_line(double, linkedin):
    double.fault(
        "reply", reply=Reply(502, b"<html>\x1b[2J Bad gateway</html>", content_type="text/html")
    )
    with pytest.raises(ServerTrouble) as trouble:
        linkedin.publish(account(double), _post("x"))
    assert "\n" not in str(trouble.value) and "\x1b" not in str(trouble.value)


def test_too_long_for_linkedin_is_caught_before_sending(linkedin):
    assert linkedin.check_length("x" * 3000) is None
    assert linkedin.check_length("x" * 3001) == "3001 characters, LinkedIn allows 3000"


@pytest.mark.slow
def test_a_slow_answer_that_timed_out_is_found_not_sent_again(double, linkedin):
    post = _post("Slow network")
    double.fault("slow", method="POST", path=POSTS, delay=1.5)
    with pytest.raises(ServerTrouble, match="did not answer in time"):
        linkedin.publish(account(double), post)

    found = linkedin.find_published(account(double), post) or linkedin.publish(
        account(double), post
    )

    assert [s.urn for s in double.shares] == [found.remote_id]
