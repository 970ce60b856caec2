"""X's 280 weighted characters, as twitter-text v3 counts: the cases below are from
twitter-text's conformance suite (conformance/validate.yml, sections
WeightedTweetsWithDiscountedEmojiCounterTest and UnicodeDirectionalMarkerCounterTest, the
v3 configuration; twitter-text-parser does not ship them), each written with escapes so
that no invisible character is lost."""

from __future__ import annotations

import pytest

from personae.networks.x import XNetwork

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
CJK_160 = "\u6545" * 160

CONFORMANCE = [
    ("285 chars-" + "xxxxxxxxxx-" * 25, 285),
    ("https://www.twitter.com/aloha " * 10, 240),
    (CJK_160, 320),
    ("the" + CJK_160, 323),
    ("A\u0301B", 2),  # 'Á' is normalized into 1 char
    ("A\ufb2c", 4),  # שּׁ is normalized into 3 chars
    ("H\U0001f431\u263a" + FAMILY, 7),
    ("\U0001f637\U0001f47e\U0001f621\U0001f525\U0001f4a9", 10),
    ("randomurl" * 7 + "s.com", 68),  # a 64-character domain is no link
    (FAMILY * 140, 280),
    ("1\u20e3", 2),  # an emoji with a leading latin character
    ("Unicode 10.0 emoji: \U0001f92a; \U0001f9d5; \U0001f9d5\U0001f3fe; " + ENGLAND, 34),
    ("Unicode 9.0 emoji: \U0001f920; \U0001f483; \U0001f483\U0001f3fe", 29),
    ("ABC\u202a\uffffABC\ufffe", 12),
    ("\u2066\u202ahttp://foobar.\u067e\u0627\u06a9\u0633\u062a\u0627\u0646/\u202c\u2069", 31),
    ("This is a test.", 15),
    ("Test https://test.com test https://test.com test.com test", 86),
]


@pytest.fixture(scope="module")
def x() -> XNetwork:
    return XNetwork()


@pytest.mark.parametrize(("text", "weighted"), CONFORMANCE)
def test_weighted_length_matches_twitter_text_conformance(x, text, weighted):
    assert x.length(text) == weighted


def test_280_weighted_characters_pass_and_281_are_refused_before_sending(x):
    assert x.check_length("a" * 280) is None
    assert x.check_length(FAMILY * 140) is None
    assert x.check_length("a" * 279 + "\u6545") == "281 weighted characters, X allows 280"


def test_any_link_counts_23_whatever_its_length(x):
    assert x.length("see https://example.org/" + "p" * 300) == 4 + 23
