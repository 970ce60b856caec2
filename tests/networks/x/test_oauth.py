"""OAuth 2.0 with PKCE, as `personae account add P x --oauth --client-id ID` will drive it:
print the authorize URL, take the pasted redirect (or bare code), exchange it, and refresh
the two-hour access token with the refresh token when it expires."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from personae.networks.base import Post, Source
from personae.networks.errors import AuthFailed, Rejected
from personae.networks.x import (
    XSession,
    code_from_paste,
    exchange_code,
    session_expiry,
    start_authorization,
)

CLIENT = "personae-test-client"


def _logged_in(double, login: str = "alice") -> tuple[Source, str]:
    started = start_authorization(CLIENT, authorize_url=f"{double.url}/i/oauth2/authorize")
    redirected = double.grant(started.url, login)
    session = exchange_code(started, redirected, server=double.url)
    return Source(url=double.url, session=session), session


def test_the_authorize_url_carries_an_s256_challenge_of_the_verifier_and_a_state():
    started = start_authorization(CLIENT, "http://127.0.0.1/cb")
    query = {k: v[0] for k, v in parse_qs(urlsplit(started.url).query).items()}

    assert started.url.startswith("https://x.com/i/oauth2/authorize?")
    digest = hashlib.sha256(started.verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert query["code_challenge_method"] == "S256" and query["state"] == started.state
    assert query["scope"] == "tweet.read tweet.write users.read offline.access"
    assert (query["client_id"], query["redirect_uri"]) == (CLIENT, "http://127.0.0.1/cb")
    assert started.verifier not in started.url and 43 <= len(started.verifier) <= 128


def test_each_authorization_has_its_own_state_and_verifier():
    one, two = start_authorization(CLIENT), start_authorization(CLIENT)
    assert one.state != two.state and one.verifier != two.verifier


def test_the_pasted_redirect_is_exchanged_for_a_session_that_publishes(double, x):
    source, session = _logged_in(double)

    stored = XSession.from_json(session)
    assert stored.refresh_token and stored.client_id == CLIENT
    assert 7000 < (session_expiry(session) or 0) - time.time() <= 7200
    verified = x.verify(source)
    assert verified.handle == "@alice"
    x.publish(Source(url=double.url, session=verified.session), Post("via OAuth", "k"))
    assert double.count_posts("alice") == 1


def test_a_bare_code_is_accepted_too(double):
    started = start_authorization(CLIENT, authorize_url=f"{double.url}/i/oauth2/authorize")
    code = parse_qs(urlsplit(double.grant(started.url, "bob")).query)["code"][0]
    assert XSession.from_json(exchange_code(started, f"  {code}\n", server=double.url))


def test_a_redirect_from_another_authorization_is_refused(double):
    mine = start_authorization(CLIENT, authorize_url=f"{double.url}/i/oauth2/authorize")
    other = start_authorization(CLIENT, authorize_url=f"{double.url}/i/oauth2/authorize")
    with pytest.raises(Rejected, match="state differs"):
        exchange_code(mine, double.grant(other.url, "alice"), server=double.url)


def test_a_denied_authorization_says_so():
    with pytest.raises(AuthFailed, match="did not grant access: access_denied"):
        code_from_paste("http://127.0.0.1/personae?error=access_denied&state=s", "s")


def test_a_code_used_twice_is_refused_without_echoing_it(double):
    started = start_authorization(CLIENT, authorize_url=f"{double.url}/i/oauth2/authorize")
    redirected = double.grant(started.url, "alice")
    exchange_code(started, redirected, server=double.url)
    code = parse_qs(urlsplit(redirected).query)["code"][0]
    with pytest.raises(AuthFailed, match="refused the authorization") as refused:
        exchange_code(started, redirected, server=double.url)
    assert code not in str(refused.value)


def test_an_expired_access_token_is_refreshed_first_and_the_new_session_returned(double, x):
    source, session = _logged_in(double)
    stale = json.loads(session)
    stale["expires_at"] = time.time() - 10  # two hours later
    source = Source(url=double.url, session=json.dumps(stale))

    published = x.publish(source, Post("after two hours", "k"))

    fresh = XSession.from_json(published.session)
    assert fresh.access_token != stale["access_token"]
    assert fresh.refresh_token != stale["refresh_token"]  # X rotates refresh tokens
    assert fresh.expires_at > time.time() + 7000
    assert double.count_posts("alice") == 1


def test_a_token_the_server_stopped_accepting_is_refreshed_once_then_used(double, x):
    source, _ = _logged_in(double)
    double.expire_tokens("alice")  # the stored expiry says valid; the server disagrees

    result = x.fetch(source)

    assert result.session and XSession.from_json(result.session).access_token
    assert [r.path for r in double.requests_to(r"/2/oauth2/token")] == ["/2/oauth2/token"] * 2


def test_a_refused_refresh_pauses_the_account_with_the_way_to_log_in_again(double, x):
    _, session = _logged_in(double)
    dead = json.loads(session)
    dead["refresh_token"], dead["expires_at"] = "revoked", time.time() - 10
    with pytest.raises(AuthFailed, match="re-authorise: personae account login") as refused:
        x.fetch(Source(url=double.url, session=json.dumps(dead)))
    assert "revoked" not in str(refused.value)


def test_a_client_id_is_required():
    with pytest.raises(Rejected, match="client id"):
        start_authorization("  ")
