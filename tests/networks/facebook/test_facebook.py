"""Facebook Pages through the Graph API: choosing a page with a user token, publishing to
its feed, reading the feed and its comments with a cursor, exactly once, and Graph's error
codes as our errors."""

from __future__ import annotations

import time

import pytest

from personae.networks.base import Post, Source
from personae.networks.errors import AuthFailed, RateLimited, Rejected, ServerTrouble
from personae.networks.facebook import FacebookNetwork, choose_page, list_pages
from tests.networks.facebook.conftest import account
from tests.support.api_double import Reply

FEED = r"/v23\.0/\d+/feed"


def _post(text: str) -> Post:
    return Post(text, "k", {"attempted_at": time.time()})


# -- choosing the page ------------------------------------------------------------------------


def test_a_user_token_lists_the_pages_with_their_page_tokens(double):
    pages = list_pages(double.user_token(), server=double.url)
    assert [(p.name, p.id) for p in pages] == [("Acme Coffee", "1010001"), ("Acme Jobs", "1010002")]
    assert pages[0].access_token == double.page_token("Acme Coffee")
    assert double.user_token() not in repr(pages) and pages[0].access_token not in repr(pages)


def test_a_page_is_chosen_by_name_or_id(double):
    pages = list_pages(double.user_token(), server=double.url)
    assert choose_page(pages, "acme jobs").id == "1010002"
    assert choose_page(pages, "1010001").name == "Acme Coffee"
    with pytest.raises(Rejected, match=r"no page 'Acme Tea' among the user's pages: Acme Coffee"):
        choose_page(pages, "Acme Tea")


def test_the_chosen_pages_token_verifies_as_the_page(double, facebook):
    page = choose_page(list_pages(double.user_token(), server=double.url), "Acme Coffee")
    verified = facebook.verify(Source(url=double.url, secret=page.access_token))
    assert verified.handle == "Acme Coffee"
    assert '"page_id": "1010001"' in verified.session


def test_a_user_token_given_as_the_account_is_refused_with_why(double, facebook):
    with pytest.raises(Rejected, match="user token; choose one of the user's pages") as refused:
        facebook.verify(Source(url=double.url, secret=double.user_token()))
    assert "personal profiles cannot be posted to" in str(refused.value)


def test_the_network_says_personal_profiles_cannot_be_posted_to(facebook):
    assert facebook.title == "Facebook Pages"
    assert "personal profiles cannot be posted to" in facebook.capabilities.secret_label


# -- publishing and reading -----------------------------------------------------------------


def test_publish_posts_to_the_pages_feed_with_only_parameters_the_spec_lists(double, facebook):
    published = facebook.publish(account(double), _post("Fresh beans today"))

    [post] = double.posts
    assert published.remote_id == post.id and post.id.startswith("1010001_")
    assert post.message == "Fresh beans today"
    assert published.url == f"https://www.facebook.com/{post.id}"


def test_the_feed_and_its_comments_read_as_items_and_the_cursor_moves_on(double, facebook):
    post_id = double.post_as("Acme Coffee", "We open at 8", ago=60)
    comment_id = double.comment(post_id, "Bob Visitor", "See you there!", ago=30)

    first = facebook.fetch(account(double))

    by_id = {item.remote_id: item for item in first.items}
    assert by_id[post_id].text == "We open at 8" and by_id[post_id].author == "Acme Coffee"
    assert by_id[comment_id].title == "comment on: We open at 8"
    assert by_id[comment_id].author == "Bob Visitor"
    newer = double.post_as("Acme Coffee", "Now open")
    second = facebook.fetch(account(double, cursor=first.cursor))
    assert [item.remote_id for item in second.items] == [newer]
    assert double.requests_to(FEED, "GET")[-1].query["since"] == first.cursor


def test_hostile_text_in_the_feed_arrives_as_text_and_malformed_posts_are_skipped(double, facebook):
    double.fault(
        "reply",
        reply=Reply(
            200,
            {
                "data": [
                    {
                        "id": "1010001_1",
                        "created_time": "2026-01-01T10:00:00+0000",
                        "message": "[@click=app.quit]\x1b]0;x\x07",
                        "from": {"name": "\x1b[31mEvil"},
                    },
                    {"id": 5, "created_time": "2026-01-01T10:00:00+0000"},
                    {"id": "1010001_2", "created_time": "yesterday"},
                    "nonsense",
                ]
            },
        ),
    )
    [item] = facebook.fetch(account(double)).items
    assert item.text == "[@click=app.quit]\x1b]0;x\x07"  # the app cleans what it shows
    assert item.author == "Evil" and item.remote_id == "1010001_1"


def test_delete_removes_the_post_and_a_second_delete_is_not_an_error(double, facebook):
    post_id = facebook.publish(account(double), _post("Oops")).remote_id
    facebook.delete(account(double), post_id)
    facebook.delete(account(double), post_id)
    assert double.count_posts("Acme Coffee") == 0


# -- exactly once -----------------------------------------------------------------------------


def test_an_answer_lost_after_the_post_was_made_is_found_not_sent_again(double, facebook):
    post = _post("Lost answer")
    double.fault("lost", method="POST", path=FEED)
    with pytest.raises(ServerTrouble):
        facebook.publish(account(double), post)

    found = facebook.find_published(account(double), post) or facebook.publish(
        account(double), post
    )

    [made] = double.posts
    assert found.remote_id == made.id and len(double.requests_to(FEED, "POST")) == 1


def test_a_5xx_after_the_post_was_made_is_found_in_one_request(double, facebook):
    post = _post("Made then 500")
    double.fault("error", method="POST", path=FEED, status=500, commit=True)
    with pytest.raises(ServerTrouble):
        facebook.publish(account(double), post)
    before = len(double.seen)

    assert facebook.find_published(account(double), post) is not None
    assert len(double.seen) == before + 1


def test_duplicate_506_after_a_lost_answer_means_already_there(double, facebook):
    post = _post("Only once")
    double.fault("lost", method="POST", path=FEED)
    with pytest.raises(ServerTrouble):
        facebook.publish(account(double), post)

    again = facebook.publish(account(double), post)

    assert again.remote_id == double.posts[0].id and double.count_posts("Acme Coffee") == 1


def test_duplicate_506_of_an_older_post_is_refused(double, facebook):
    double.post_as("Acme Coffee", "Same again", ago=3600)
    with pytest.raises(Rejected, match="duplicate"):
        facebook.publish(account(double), _post("Same again"))
    assert double.count_posts("Acme Coffee") == 1


# -- Graph's error codes ------------------------------------------------------------------------


def test_190_expired_token_asks_to_log_in_again_without_the_token(double, facebook):
    double.fault("expired")
    with pytest.raises(AuthFailed, match="re-authorise: personae account login") as refused:
        facebook.publish(account(double), _post("x"))
    assert double.page_token("Acme Coffee") not in str(refused.value)


def test_a_throttled_page_waits_as_long_as_business_use_case_usage_says(double, facebook):
    double.fault("ratelimit", wait=1800)
    with pytest.raises(RateLimited, match="#32") as limited:
        facebook.publish(account(double), _post("x"))
    assert limited.value.retry_after == 1800


@pytest.mark.parametrize("code", [4, 17, 613])
def test_every_throttle_code_is_rate_limited(double, facebook, code):
    body = {"error": {"message": "limit", "type": "OAuthException", "code": code}}
    double.fault("reply", reply=Reply(400, body))
    with pytest.raises(RateLimited):
        facebook.publish(account(double), _post("x"))


def test_368_blocked_is_rejected_with_facebooks_words(double, facebook):
    body = {
        "error": {
            "message": "(#368) The action attempted has been deemed abusive",
            "type": "OAuthException",
            "code": 368,
            "error_user_msg": "You're temporarily blocked from posting",
        }
    }
    double.fault("reply", reply=Reply(400, body))
    with pytest.raises(Rejected, match=r"temporarily blocked this account.*blocked from posting"):
        facebook.publish(account(double), _post("x"))


def test_a_missing_permission_pauses_the_account(double, facebook):
    wrong_page = account(double)
    other = Source(
        url=wrong_page.url,
        handle="Acme Jobs",
        secret=double.page_token("Acme Jobs"),
        session=wrong_page.session,
    )
    with pytest.raises(AuthFailed, match="#200"):
        facebook.publish(other, _post("x"))


def test_a_transient_server_error_is_worth_retrying(double, facebook):
    double.fault("error", status=503)
    with pytest.raises(ServerTrouble) as trouble:
        facebook.publish(account(double), _post("x"))
    assert trouble.value.retry


def test_an_html_error_page_is_one_clean_line(double, facebook):
    double.fault(
        "reply", reply=Reply(502, b"<!DOCTYPE html><p>Bad Gateway</p>", content_type="text/html")
    )
    with pytest.raises(ServerTrouble, match="502") as trouble:
        facebook.publish(account(double), _post("x"))
    assert "\n" not in str(trouble.value)


def test_an_account_without_a_stored_page_id_is_told_to_verify(double, facebook):
    bare = Source(url=double.url, handle="Acme Coffee", secret=double.page_token("Acme Coffee"))
    with pytest.raises(Rejected, match="no page id stored"):
        facebook.publish(bare, _post("x"))


def test_a_wrong_graph_version_is_refused_by_the_server(double):
    old = FacebookNetwork(version="v2.0")
    with pytest.raises(Rejected):
        old.publish(account(double), _post("x"))
    old.close()


@pytest.mark.slow
def test_a_slow_answer_that_timed_out_is_found_not_sent_again(double, facebook):
    post = _post("Slow network")
    double.fault("slow", method="POST", path=FEED, delay=1.5)
    with pytest.raises(ServerTrouble, match="did not answer in time"):
        facebook.publish(account(double), post)

    found = facebook.find_published(account(double), post) or facebook.publish(
        account(double), post
    )

    assert [p.id for p in double.posts] == [found.remote_id]
