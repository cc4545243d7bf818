"""Word lists: loading, polarity of known words, hashtags, and tweet scores with negation."""

from __future__ import annotations

import pytest

from helpers import lexicon, paths, text
from helpers.sample import read_lines


def test_default_is_vader_with_known_scores():
    scores = lexicon.load()
    assert scores["good"] == 1.9
    assert scores["bad"] == -2.5
    assert scores[":)"] == 2.0
    assert len(scores) == 7490


@pytest.mark.parametrize(("name", "size"), [("vader", 7490), ("bing", 6783), ("afinn", 3352)])
def test_every_lexicon_loads_with_its_licence_beside_it(name, size):
    assert len(lexicon.load(name)) == size
    readme = (paths.LEXICONS / "README.md").read_text(encoding="utf-8")
    assert f"{name}.tsv" in readme


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("love", "positive"),
        ("#love", "positive"),
        ("terrible", "negative"),
        ("#fail", "negative"),
        ("table", "neutral"),
        ("#nimbus5", "neutral"),
        ("😍", "neutral"),
        (":(", "negative"),
    ],
)
def test_polarity_of_known_words(word, expected):
    assert lexicon.polarity(word) == expected


def test_polarity_with_another_lexicon():
    bing = lexicon.load("bing")
    assert lexicon.polarity("love", bing) == "positive"
    assert lexicon.polarity("lol", bing) == "neutral"  # not in Hu & Liu, but in VADER
    assert lexicon.polarity("lol") == "positive"


def test_unknown_lexicon_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown lexicon 'sentiwordnet'; choose one of"):
        lexicon.load("sentiwordnet")


@pytest.mark.parametrize(
    ("tweet", "score"),
    [
        ("the update is good", 1.9),
        ("the update is not good", -1.9),
        ("the update isn't very good", -1.9),  # negation reaches over one word
        ("no queue outside the hall and a good keynote", 1.9),  # too far: over three tokens
        ("good good bad", 1.9 + 1.9 - 2.5),
        ("#love it :)", 3.2 + 2.0),
    ],
)
def test_tweet_score_with_negation(tweet, score):
    assert lexicon.tweet_score(text.words(tweet), lexicon.load()) == pytest.approx(score)


@pytest.mark.parametrize("name", lexicon.NAMES)
def test_score_tokens_equals_tweet_score_on_every_shipped_tweet(name):
    """The engines' lookup table gives the very sums of word_score and is_negation, tweet by tweet."""
    from helpers import tweets

    scores, table = lexicon.scores(name), lexicon.token_scores(name)
    texts = [t.text for line in read_lines(paths.sample_files()) if (t := tweets.parse_line(line))]
    texts += ["#love it :)", "not #good", "don't #no good", "never ever ever ever good", "no no good"]
    differ = [
        x for x in texts if lexicon.score_tokens(text.words(x), table) != lexicon.tweet_score(text.words(x), scores)
    ]
    assert differ == []
    assert len(texts) == 4 * 5200 + 5
    assert "no" not in table and "#love" in table and table["#love"] == scores["love"]
