"""Facebook **Pages** through the Graph API over httpx. Personal profiles cannot be posted
to through any API (``publish_actions`` was removed in 2018, the Groups API in 2024): only
Pages a user manages, with that page's own access token.

**Account.** ``server`` is the Graph base URL (``https://graph.facebook.com``); ``secret``
is the *page* access token; ``handle`` is the page's name; ``session`` is JSON with the
page's id and name. To add one, ``list_pages(user_token)`` lists the pages the user manages
(``/me/accounts``, each with its page token) and ``choose_page(pages, "name or id")`` picks
one; the CLI stores ``page.access_token`` as the secret and ``page.name`` as the handle,
then ``verify`` checks the token is a page token and records the page id.

**Publishing exactly once.** No idempotency key. ``prepare`` records the attempt's time;
``find_published`` reads the page's own posts created since a little before it
(``/{page-id}/posts?since=…``, one request) and returns the oldest whose message matches
(NFC, links as one token, whitespace folded). Graph's error 506 "duplicate status message"
means the same text went out moments ago: ``publish`` looks it up the same way and returns
it, or raises ``Rejected`` when it is an older post of the page's.

**Reading.** The page's feed (posts by the page and visitors) with the comments on each
post, as items, newer than the cursor (the newest ``created_time`` seen, epoch seconds,
sent as ``since``). Comments that arrive later on posts older than the cursor are not
fetched again (one request per read).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from personae.networks.base import (
    Capabilities,
    FetchResult,
    Network,
    Post,
    Published,
    Source,
    Verified,
)
from personae.networks.errors import AuthFailed, Rejected, ServerTrouble
from personae.networks.graph import RELOGIN, DuplicateMessage, graph_code, graph_refusal
from personae.networks.webapi import (
    Answer,
    Limits,
    WebApi,
    attempt_time,
    base_url,
    comparable,
    host_of,
    ident,
    items,
    obj,
    parse_time,
    text,
)
from personae.store import NewItem
from personae.store.text import one_line

API = "https://graph.facebook.com"
GRAPH_VERSION = "v23.0"
MAX_PAGES = 10  # of /me/accounts, 100 pages each
FEED_LIMIT, COMMENT_LIMIT, FIND_LIMIT = 25, 25, 25
FEED_FIELDS = (
    "id,message,story,created_time,from,permalink_url,"
    f"comments.limit({COMMENT_LIMIT}){{id,message,created_time,from,permalink_url}}"
)
_ID = re.compile(r"\d{1,30}(?:_\d{1,30})?")


@dataclass(frozen=True)
class Page:
    """A page the user manages, with the page token that publishes as it."""

    id: str
    name: str
    access_token: str = field(repr=False)
    tasks: tuple[str, ...] = ()

    @property
    def can_post(self) -> bool:
        return not self.tasks or "CREATE_CONTENT" in self.tasks


class FacebookNetwork(Network):
    name = "facebook"
    title = "Facebook Pages"
    capabilities = Capabilities(
        max_length=63206,
        secret_label="page access token (personal profiles cannot be posted to)",
        default_server=API,
    )

    def __init__(self, limits: Limits | None = None, version: str = GRAPH_VERSION) -> None:
        self.api = WebApi("Facebook", limits)
        self.version = version

    def verify(self, source: Source) -> Verified:
        """Check the token is a page token; the page's name becomes the handle."""
        call = _Call(self, source)
        try:
            answer = call.send("GET", "/me", "logging in", {"fields": "id,name,category"})
        except Rejected as refused:
            if "User" in str(refused):  # category is no field of a User: a user token
                raise Rejected(
                    f"{call.where}: this is a user token; choose one of the user's pages "
                    "(a page token); personal profiles cannot be posted to"
                ) from None
            raise
        page = answer.require_json(call.where)
        page_id, name = ident(page, "id"), one_line(text(page, "name"), 100)
        if not _ID.fullmatch(page_id):
            raise ServerTrouble(f"{call.where}: the answer names no page")
        session = json.dumps({"page_id": page_id, "name": name}, sort_keys=True)
        return Verified(handle=name or page_id, session=session, display_name=name)

    def prepare(self, text: str, idem_key: str) -> dict[str, Any]:
        return {"attempted_at": time.time()}

    def publish(self, source: Source, post: Post) -> Published:
        call = _Call(self, source)
        try:
            answer = call.send(
                "POST", f"/{call.page_id()}/feed", "publishing", form={"message": post.text}
            )
        except DuplicateMessage:
            found = self.find_published(source, post)
            if found is None:
                raise Rejected(
                    f"{call.where} refused the post as a duplicate of an earlier one "
                    "of the page's; not published again"
                ) from None
            return found
        post_id = ident(answer.require_json(call.where), "id")
        if not _ID.fullmatch(post_id):
            raise ServerTrouble(f"{call.where}: the answer to the post names no post")
        return Published(post_id, post_link(post_id))

    def find_published(self, source: Source, post: Post) -> Published | None:
        call = _Call(self, source)
        params = {
            "fields": "id,message,created_time",
            "since": str(int(attempt_time(post.details))),
            "limit": str(FIND_LIMIT),
        }
        answer = call.send("GET", f"/{call.page_id()}/posts", "looking for the post", params)
        wanted = comparable(post.text)
        found = [
            (parse_time(p.get("created_time")) or 0.0, ident(p, "id"))
            for p in items(answer.require_json(call.where), "data")
            if _ID.fullmatch(ident(p, "id")) and comparable(text(p, "message")) == wanted
        ]
        if not found:
            return None
        post_id = min(found)[1]
        return Published(post_id, post_link(post_id))

    def fetch(self, source: Source) -> FetchResult:
        call = _Call(self, source)
        since = int(source.cursor) if source.cursor.isdigit() else 0
        params = {"fields": FEED_FIELDS, "limit": str(FEED_LIMIT)}
        if since:
            params["since"] = str(since)
        answer = call.send("GET", f"/{call.page_id()}/feed", "reading the page", params)
        result = FetchResult(cursor=source.cursor)
        newest = since
        for post in items(answer.require_json(call.where), "data"):
            for item in feed_items(post):
                if item.created > since:
                    result.items.append(item)
                    newest = max(newest, int(item.created))
        result.cursor = str(newest) if newest else source.cursor
        result.items.sort(key=lambda i: i.created, reverse=True)
        return result

    def delete(self, source: Source, remote_id: str) -> None:
        """Delete a post; one that is already gone counts as deleted."""
        if not _ID.fullmatch(remote_id):
            raise Rejected(f"not a Facebook post id: {one_line(remote_id, 40)!r}")
        call = _Call(self, source)
        try:
            call.send("DELETE", f"/{remote_id}", "deleting")
        except Rejected as refused:
            if "does not exist" not in str(refused):
                raise

    def close(self) -> None:
        self.api.close()


class _Call:
    def __init__(self, network: FacebookNetwork, source: Source) -> None:
        self.api = network.api
        self.base = base_url(source.url, API, "Facebook") + "/" + network.version
        self.where = f"Facebook ({host_of(self.base)})"
        self.source = source

    def page_id(self) -> str:
        try:
            stored = json.loads(self.source.session) if self.source.session else {}
        except ValueError:
            stored = {}
        page_id = ident(stored, "page_id")
        if not _ID.fullmatch(page_id):
            raise Rejected(f"{self.where}: no page id stored for this account; verify it")
        return page_id

    def send(
        self,
        method: str,
        path: str,
        doing: str,
        params: Mapping[str, str] | None = None,
        *,
        form: Mapping[str, str] | None = None,
    ) -> Answer:
        token = self.source.secret
        if not token:
            raise AuthFailed(f"{self.where}: no page access token stored; {RELOGIN}")
        return graph_send(
            self.api, method, self.base + path, doing, token, self.where, params=params, form=form
        )


def graph_send(
    api: WebApi,
    method: str,
    url: str,
    doing: str,
    token: str,
    where: str,
    *,
    params: Mapping[str, str] | None = None,
    form: Mapping[str, str] | None = None,
) -> Answer:
    """One Graph request with the token in the Authorization header (never in the URL,
    where logs and messages could carry it); an error answer raised as ours."""
    headers = {"Authorization": f"Bearer {token}"}
    answer = api.send(method, url, doing=doing, headers=headers, params=params, form=form)
    if answer.ok and graph_code(answer.data)[0] is None:
        return answer
    raise graph_refusal(answer, where, doing, token)


# -- choosing a page --------------------------------------------------------------------------


def list_pages(
    user_token: str,
    *,
    server: str = API,
    version: str = GRAPH_VERSION,
    limits: Limits | None = None,
) -> list[Page]:
    """The pages the user behind ``user_token`` manages, each with its page token."""
    base = base_url(server, API, "Facebook") + "/" + version
    where = f"Facebook ({host_of(base)})"
    api = WebApi("Facebook", limits)
    params: dict[str, str] = {"fields": "id,name,access_token,tasks", "limit": "100"}
    pages: list[Page] = []
    try:
        for _ in range(MAX_PAGES):
            answer = graph_send(
                api, "GET", f"{base}/me/accounts", "listing pages", user_token, where, params=params
            )
            data = answer.require_json(where)
            pages += [p for p in (_page(entry) for entry in items(data, "data")) if p]
            after = text(obj(obj(data, "paging"), "cursors"), "after")
            if not after or not text(obj(data, "paging"), "next"):
                break
            params = {**params, "after": after}
    finally:
        api.close()
    return pages


def choose_page(pages: list[Page], wanted: str) -> Page:
    """The page named ``wanted`` (its id, or its name, case-insensitively)."""
    wanted = wanted.strip()
    by_id = [p for p in pages if p.id == wanted]
    by_name = [p for p in pages if p.name.casefold() == wanted.casefold()]
    chosen = by_id or by_name
    names = ", ".join(f"{p.name} ({p.id})" for p in pages) or "none"
    if not chosen:
        raise Rejected(f"no page {one_line(wanted, 60)!r} among the user's pages: {names}")
    if len(chosen) > 1:
        raise Rejected(
            f"more than one page is called {one_line(wanted, 60)!r}; give its id: {names}"
        )
    if not chosen[0].can_post:
        raise Rejected(f"the user may not create content on {chosen[0].name}")
    return chosen[0]


def _page(entry: dict[str, Any]) -> Page | None:
    page_id, token = ident(entry, "id"), text(entry, "access_token")
    if not (_ID.fullmatch(page_id) and token):
        return None
    tasks = entry.get("tasks")
    kept = tuple(t for t in tasks if isinstance(t, str)) if isinstance(tasks, list) else ()
    return Page(page_id, one_line(text(entry, "name"), 100), token, kept)


# -- reading --------------------------------------------------------------------------------


def feed_items(post: dict[str, Any]) -> list[NewItem]:
    """A feed post and its comments as items; what has no id or time is skipped."""
    post_id = ident(post, "id")
    created = parse_time(post.get("created_time"))
    if not (_ID.fullmatch(post_id) and created is not None):
        return []
    words = text(post, "message") or text(post, "story")
    found = [
        NewItem(
            remote_id=post_id,
            created=created,
            author=one_line(text(obj(post, "from"), "name"), 100),
            text=words,
            url=_link(post, post_id),
        )
    ]
    for comment in items(obj(post, "comments"), "data"):
        comment_id, when = ident(comment, "id"), parse_time(comment.get("created_time"))
        if _ID.fullmatch(comment_id) and when is not None:
            found.append(
                NewItem(
                    remote_id=comment_id,
                    created=when,
                    author=one_line(text(obj(comment, "from"), "name"), 100),
                    title=f"comment on: {one_line(words, 60)}",
                    text=text(comment, "message"),
                    url=_link(comment, comment_id),
                )
            )
    return found


def _link(node: dict[str, Any], node_id: str) -> str:
    url = text(node, "permalink_url")
    return url if urlsplit(url).scheme in ("http", "https") else post_link(node_id)


def post_link(post_id: str) -> str:
    return f"https://www.facebook.com/{quote(post_id)}"
