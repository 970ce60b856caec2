"""Logging in to the real PDS with a handle and an app password, and keeping the session."""

from __future__ import annotations

import pytest

from personae.networks.base import Post, Source
from personae.networks.errors import AuthFailed
from tests.networks.bluesky.conftest import app_source

pytestmark = [pytest.mark.slow, pytest.mark.pds]


def test_login_returns_the_canonical_handle_and_a_session(pds, bluesky, new_account):
    """Whatever case and leading @ the user typed, the stored handle is the server's."""
    alice = new_account("alice")
    source = app_source(pds, alice)
    typed = Source(url=pds.url + "/", handle="@" + alice.handle.upper(), secret=source.secret)

    verified = bluesky.verify(typed)

    assert verified.handle == alice.handle
    assert verified.session.startswith(f"{alice.handle}:::{alice.did}:::")
    assert source.secret not in verified.session


def test_wrong_app_password_is_refused_with_one_clear_line(pds, bluesky, new_account):
    alice = new_account("alice")
    wrong = "abcd-efgh-ijkl-mnop"

    with pytest.raises(AuthFailed) as refused:
        bluesky.verify(Source(url=pds.url, handle=alice.handle, secret=wrong))

    message = str(refused.value)
    assert message == (
        f"localhost:{pds.port} refused the login for {alice.handle}: Invalid identifier or password"
    )
    assert wrong not in message and "\n" not in message
    assert not refused.value.retry


def test_an_account_without_a_stored_app_password_cannot_log_in(pds, bluesky, new_account):
    alice = new_account("alice")
    with pytest.raises(AuthFailed, match="no app password stored for"):
        bluesky.verify(Source(url=pds.url, handle=alice.handle))


def test_a_stored_session_is_reused_without_logging_in_again(pds, bluesky, new_account):
    """Publishing with the session from login needs no new one: nothing to store."""
    alice = new_account("alice")
    source = app_source(pds, alice)
    session = bluesky.verify(source).session
    stored = Source(url=pds.url, handle=alice.handle, secret=source.secret, session=session)

    text = "first post"
    published = bluesky.publish(stored, Post(text, "k1", bluesky.prepare(text, "k1")))

    assert published.session == ""
    assert published.remote_id.startswith(f"at://{alice.did}/app.bsky.feed.post/")


def test_a_session_from_another_process_is_used_as_stored(pds, new_account):
    """A second adapter (another personae process) starts from the stored session alone."""
    from personae.networks.bluesky import BlueskyNetwork

    alice = new_account("alice")
    source = app_source(pds, alice)
    session = BlueskyNetwork().verify(source).session
    without_secret = Source(url=pds.url, handle=alice.handle, session=session)

    published = BlueskyNetwork().publish(
        without_secret, Post("from the session", "k", {"rkey": _tid(), "createdAt": _now()})
    )

    assert published.session == ""


def test_a_refused_access_token_is_refreshed_and_the_new_session_returned(
    pds, bluesky, new_account
):
    alice = new_account("alice")
    source = app_source(pds, alice)
    session = bluesky.verify(source).session
    tampered = _tamper(session, access=True, refresh=False)
    stored = Source(url=pds.url, handle=alice.handle, session=tampered)  # no secret: a refresh

    published = bluesky.publish(stored, Post("after refresh", "k", bluesky.prepare("", "k")))

    assert published.session not in ("", tampered, session)
    assert published.session.split(":::")[:2] == [alice.handle, alice.did]
    again = Source(url=pds.url, handle=alice.handle, session=published.session)
    assert bluesky.fetch(again).session == ""  # the refreshed session works as stored


def test_a_revoked_session_logs_in_again_with_the_app_password(pds, bluesky, new_account):
    alice = new_account("alice")
    source = app_source(pds, alice)
    session = bluesky.verify(source).session
    stored = Source(
        url=pds.url, handle=alice.handle, secret=source.secret, session=_tamper(session, True, True)
    )

    published = bluesky.publish(stored, Post("after login", "k", bluesky.prepare("", "k")))

    assert published.session.split(":::")[:2] == [alice.handle, alice.did]
    assert published.remote_id.startswith(f"at://{alice.did}/")


@pytest.mark.parametrize("stored", ["not a session", "h:::did:plc:x:::no.jwt:::no.jwt:::{url}"])
def test_an_unreadable_stored_session_is_replaced_by_a_new_login(pds, bluesky, new_account, stored):
    alice = new_account("alice")
    source = app_source(pds, alice)
    broken = Source(**{**vars(source), "session": stored.format(url=pds.url)})

    published = bluesky.publish(broken, Post("fresh login", "k", bluesky.prepare("", "k")))

    assert published.session.split(":::")[:2] == [alice.handle, alice.did]


def test_a_revoked_session_and_a_revoked_app_password_pause_with_auth_failed(
    pds, bluesky, new_account
):
    alice = new_account("alice")
    source = app_source(pds, alice)
    session = bluesky.verify(source).session
    stored = Source(
        url=pds.url, handle=alice.handle, secret="wron-gwro-ngwr-ongw", session=_tamper(session)
    )

    with pytest.raises(AuthFailed, match="refused the login"):
        bluesky.publish(stored, Post("never", "k", bluesky.prepare("", "k")))


def _tamper(session: str, access: bool = True, refresh: bool = True) -> str:
    """The session with broken token signatures, as the server sees a forged or revoked one."""
    handle, did, access_jwt, refresh_jwt, *rest = session.split(":::")
    if access:
        access_jwt = access_jwt[:-4] + ("AAAA" if not access_jwt.endswith("AAAA") else "BBBB")
    if refresh:
        refresh_jwt = refresh_jwt[:-4] + ("AAAA" if not refresh_jwt.endswith("AAAA") else "BBBB")
    return ":::".join([handle, did, access_jwt, refresh_jwt, *rest])


def _tid() -> str:
    from personae.networks.bluesky import TidClock

    return TidClock().next()


def _now() -> str:
    from personae.networks.bluesky import iso_now

    return iso_now()
