"""Small feed documents, written the way each format's specification shows them.

Each builder takes plain entries and returns the document's bytes, so a test states what
the feed holds and the builder deals with the format's syntax and escaping.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formatdate
from html import escape

# 2024-05-01T12:00:00Z and the hours after it: entries' dates in tests.
BASE_TIME = 1_714_564_800


@dataclass(frozen=True)
class Entry:
    """What a test puts in a feed. ``html`` goes into the description or content as HTML
    (escaped in the XML); ``guid`` and ``link`` may be left out to test the fallbacks."""

    title: str
    html: str = ""
    guid: str = ""
    link: str = ""
    author: str = ""
    hour: int | None = 0  # hours after BASE_TIME; None for an undated entry


def _x(text: str) -> str:
    return escape(text, quote=True)


def _rfc822(entry: Entry) -> str:
    return "" if entry.hour is None else formatdate(BASE_TIME + entry.hour * 3600, usegmt=True)


def _iso(entry: Entry) -> str:
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(BASE_TIME + (entry.hour or 0) * 3600, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def rss2(entries: list[Entry], title: str = "Cookies at Work") -> bytes:
    items = []
    for e in entries:
        parts = [f"<title>{_x(e.title)}</title>"]
        if e.link:
            parts.append(f"<link>{_x(e.link)}</link>")
        if e.guid:
            parts.append(f'<guid isPermaLink="false">{_x(e.guid)}</guid>')
        if e.hour is not None:
            parts.append(f"<pubDate>{_rfc822(e)}</pubDate>")
        if e.author:
            parts.append(f"<dc:creator>{_x(e.author)}</dc:creator>")
        if e.html:
            parts.append(f"<description>{_x(e.html)}</description>")
        items.append("<item>" + "".join(parts) + "</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{_x(title)}</title><link>https://example.org/</link>"
        "<description>test feed</description>" + "\n".join(items) + "</channel></rss>\n"
    ).encode()


def rss091(entries: list[Entry], title: str = "Old School") -> bytes:
    """RSS 0.91 (Userland): items have title, link and description only."""
    items = "".join(
        f"<item><title>{_x(e.title)}</title><link>{_x(e.link)}</link>"
        f"<description>{_x(e.html)}</description></item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<rss version="0.91"><channel>'
        f"<title>{_x(title)}</title><link>https://example.org/</link>"
        f"<description>old</description><language>en-us</language>{items}</channel></rss>\n"
    ).encode("iso-8859-1")


def rss092(entries: list[Entry], title: str = "Old School") -> bytes:
    """RSS 0.92: an item may be a description alone, with no title or link."""
    items = []
    for e in entries:
        title_part = f"<title>{_x(e.title)}</title>" if e.title else ""
        link_part = f"<link>{_x(e.link)}</link>" if e.link else ""
        items.append(f"<item>{title_part}{link_part}<description>{_x(e.html)}</description></item>")
    return (
        '<?xml version="1.0"?>\n<rss version="0.92"><channel>'
        f"<title>{_x(title)}</title><link>https://example.org/</link>"
        f"<description>old</description>{''.join(items)}</channel></rss>\n"
    ).encode()


def rss1(entries: list[Entry], title: str = "Resource Described") -> bytes:
    """RSS 1.0 (RDF): items are identified by rdf:about and dated with dc:date."""
    seq = "".join(f'<rdf:li resource="{_x(e.guid)}"/>' for e in entries)
    items = "".join(
        f'<item rdf:about="{_x(e.guid)}"><title>{_x(e.title)}</title>'
        f"<link>{_x(e.link)}</link><description>{_x(e.html)}</description>"
        f"<dc:date>{_iso(e)}</dc:date><dc:creator>{_x(e.author)}</dc:creator></item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="https://example.org/rss"><title>{_x(title)}</title>'
        "<link>https://example.org/</link><description>rdf</description>"
        f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>{items}</rdf:RDF>\n"
    ).encode()


def atom(entries: list[Entry], title: str = "Atomic Cookies") -> bytes:
    """Atom 1.0 with HTML content; entries without an author inherit the feed's."""
    parts = []
    for e in entries:
        author = f"<author><name>{_x(e.author)}</name></author>" if e.author else ""
        link = f'<link rel="alternate" href="{_x(e.link)}"/>' if e.link else ""
        parts.append(
            f"<entry><id>{_x(e.guid)}</id><title>{_x(e.title)}</title>{link}"
            f"<updated>{_iso(e)}</updated>{author}"
            f'<content type="html">{_x(e.html)}</content></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{_x(title)}</title><id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>"
        "<updated>2024-05-01T12:00:00Z</updated><author><name>The Bakers</name></author>"
        + "".join(parts)
        + "</feed>\n"
    ).encode()


def atom03(entries: list[Entry], title: str = "Atom Draft") -> bytes:
    """Atom 0.3, still served by old blogs: ``issued``/``modified`` dates."""
    parts = "".join(
        f"<entry><id>{_x(e.guid)}</id><title>{_x(e.title)}</title>"
        f'<link rel="alternate" type="text/html" href="{_x(e.link)}"/>'
        f"<issued>{_iso(e)}</issued><modified>{_iso(e)}</modified>"
        f'<content type="text/html" mode="escaped">{_x(e.html)}</content></entry>'
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed version="0.3" xmlns="http://purl.org/atom/ns#">'
        f'<title>{_x(title)}</title><link rel="alternate" href="https://example.org/"/>'
        f"<modified>2024-05-01T12:00:00Z</modified>{parts}</feed>\n"
    ).encode()


def cookies(count: int = 3, prefix: str = "cookie") -> list[Entry]:
    """``count`` ordinary entries, newest first, with guids, links and HTML bodies."""
    return [
        Entry(
            title=f"Batch {n}",
            html=f"<p>Batch <b>{n}</b> is out of the oven.</p>",
            guid=f"tag:example.org,2024:{prefix}-{n}",
            link=f"https://example.org/{prefix}/{n}",
            author="Ada",
            hour=n,
        )
        for n in range(count, 0, -1)
    ]
