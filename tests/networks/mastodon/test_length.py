"""The 500-character limit, counted as Mastodon counts: grapheme clusters, where every
http(s) link is 23 characters whatever its length and a remote mention "@user@domain"
counts as "@user". personae owns this rule (no Mastodon.py code is read to count), so the
compose box can count from the first keystroke and a post the server would refuse never
reaches the outbox."""

from __future__ import annotations

import subprocess
import sys

import pytest

from personae.networks.mastodon import MastodonNetwork

LINK = 23

mastodon = MastodonNetwork()


@pytest.mark.parametrize(
    ("text", "counted"),
    [
        ("https://example.org/" + "a" * 200, LINK),
        ("see https://a.io", 4 + LINK),
        ("http://example.org", LINK),
        ("https://example.org:8080/x?q=1&r=2#top", LINK),
        ("https://éxample.org/päth", LINK),  # international names too
        ("https://en.wikipedia.org/wiki/Cookie_(dessert)", LINK),  # parentheses in pairs
    ],
)
def test_an_http_or_https_link_counts_23_whatever_its_length(text: str, counted: int) -> None:
    assert mastodon.length(text) == counted


@pytest.mark.parametrize(
    "text",
    [
        "example.org",  # no scheme: text
        "www.example.org/recipes",
        "ftp://example.org/file",
        "https://localhost/x",  # no top-level domain
        "https://127.0.0.1/x",
        "xhttps://example.org/x",  # glued to a word
        "#https://example.org",  # part of a hashtag
    ],
)
def test_what_is_no_link_to_mastodon_counts_as_the_text_it_is(text: str) -> None:
    assert mastodon.length(text) == len(text)


@pytest.mark.parametrize(
    ("text", "counted"),
    [
        ("Read https://example.org/a, then", 5 + LINK + 6),
        ("(https://example.org/path).", 1 + LINK + 2),
        ("https://example.org/a?b=c&d=e.", LINK + 1),
        ("Done? https://a.io/x?", 6 + LINK + 1),
        ("«https://example.org/x»", 1 + LINK + 1),
        ('"https://example.org/x"', 1 + LINK + 1),
        ("https://a.io/x)", LINK + 1),  # an unpaired parenthesis is the sentence's
    ],
)
def test_trailing_punctuation_is_not_part_of_the_link(text: str, counted: int) -> None:
    assert mastodon.length(text) == counted


@pytest.mark.parametrize(
    ("text", "counted"),
    [
        ("hi @bob@mastodon.example", len("hi @bob")),
        ("@alice@" + "b" * 30 + ".com", len("@alice")),
        ("@local", len("@local")),
        ("mail bob@example.org", len("mail bob@example.org")),  # an address, no mention
        ("a=@bob@example.org", len("a=@bob@example.org")),
    ],
)
def test_a_remote_mention_counts_only_its_user_part(text: str, counted: int) -> None:
    assert mastodon.length(text) == counted


def test_length_counts_what_a_reader_sees_as_one_character() -> None:
    assert mastodon.length("👍🏽 café") == 6  # a skin-toned emoji and a composed é


def test_mastodons_own_examples_fit_in_500() -> None:
    """From Mastodon's status_length_validator_spec.rb."""
    assert mastodon.check_length("a" * 476 + " http://" + "b" * 30 + ".com/example") is None
    assert mastodon.check_length("a" * 475 + " @alice@" + "b" * 30 + ".com") is None


def test_500_counted_characters_pass_and_501_are_refused_before_sending() -> None:
    link = " https://example.org/" + "p" * 300  # 321 typed, 24 counted
    assert mastodon.check_length("x" * 476 + link) is None
    assert mastodon.check_length("x" * 477 + link) == "501 characters, Mastodon allows 500"


def test_the_rule_counts_without_mastodon_py() -> None:
    """Counting reads nothing of Mastodon.py: it works where that package cannot load."""
    probe = (
        "import sys\n"
        "sys.modules['mastodon'] = None\n"  # any import of Mastodon.py now fails
        "from personae.networks.mastodon import MastodonNetwork\n"
        "print(MastodonNetwork().length('see https://example.org/' + 'a' * 100))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(4 + LINK)]
