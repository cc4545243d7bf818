"""The self-checks of notebooks 00 and 01: each accepts the right answer, and names the mistake in a wrong one.

Expected numbers come from the checks' own plain-Python answers (``lesson01.word_counts()`` …), so these
tests follow the shipped sample if it is regenerated. No Spark: the checks never need it.
"""

from __future__ import annotations

from collections import Counter
from io import BytesIO

import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from support.checks import FakeRDD, wrong

from helpers import check, lexicon, text
from helpers.check import lesson00, lesson01
from helpers.check.lesson00 import NOT_ANSWERED
from helpers.ui import plots

EXERCISES = [check.exercise_0_1, check.exercise_1_1, check.exercise_1_2, check.exercise_1_3, check.exercise_1_4]
RDD_MESSAGE = "that is an RDD, a recipe Spark has not run yet: end with an action such as {} to get the values"


def hides(pairs, *results):
    """No message shows a key of the answer next to its count, nor the answer as a list."""
    for result in results:
        message = result.message
        assert str(list(pairs)) not in message
        for key, n in pairs:
            shown = (f"{key}' ({n})", f"{key}': {n}", f"{key}: {n:,}", f"{key} {n}", f"{key}', {n})")
            assert not any(s in message for s in shown), message


def hides_number(value, *results):
    """No message shows the number that is the answer, however it is formatted."""
    forms = {str(value), f"{value:,}"} if isinstance(value, int) else {f"{value:.3f}", f"{value:.2f}"}
    for result in results:
        assert not any(f in result.message for f in forms), result.message


# --- every check -------------------------------------------------------------------------------------


def test_all_exercises_are_exported():
    assert lesson00.__all__ == ["exercise_0_1"]
    assert lesson01.__all__ == ["exercise_1_1", "exercise_1_2", "exercise_1_3", "exercise_1_4"]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda f: f.__name__)
def test_none_is_not_answered_yet(exercise, capsys):
    result = exercise(None)
    wrong(result, NOT_ANSWERED)
    assert capsys.readouterr().out == f"✗ {NOT_ANSWERED}\n"


@pytest.mark.parametrize(
    ("exercise", "action"),
    [
        (check.exercise_0_1, ".sum()"),
        (check.exercise_1_1, ".takeOrdered(10, key=lambda kv: -kv[1])"),
        (check.exercise_1_2, ".collectAsMap()"),
        (check.exercise_1_3, ".countByValue()"),
        (check.exercise_1_4, ".takeOrdered(10, key=lambda kv: -kv[1])"),
    ],
    ids=lambda x: getattr(x, "__name__", "action"),
)
def test_an_rdd_is_not_a_result(exercise, action):
    wrong(exercise(FakeRDD()), RDD_MESSAGE.format(action))


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "answer",
    ["text", 3.5, [], {}, [("a",)], object()],
    ids=lambda a: type(a).__name__ if type(a) is object else repr(a),
)
def test_odd_answers_never_raise(exercise, answer):
    assert not exercise(answer)


# --- 0.1 sum of squares of the even numbers ------------------------------------------------------------


def test_0_1_right(capsys):
    assert check.exercise_0_1(171_700)
    assert check.exercise_0_1(171_700.0)
    assert capsys.readouterr().out.startswith("✓ right: filter, then map, then sum")


def test_0_1_right_wrong_and_none_never_show_the_answer():
    results = [check.exercise_0_1(a) for a in (171_700, 338_350, [x * x for x in range(2, 101, 2)], None)]
    assert [bool(r) for r in results] == [True, False, False, False]
    hides_number(171_700, *results)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            338_350,
            "338,350 is not it: that is the sum of every square from 1 to 100: "
            "keep only the even numbers with .filter(lambda x: x % 2 == 0)",
        ),
        (166_650, "166,650 is not it: that is the sum of the odd numbers' squares: even means x % 2 == 0"),
        (161_700, "161,700 is not it: you stopped at 99: range(1, 101) includes 100, range(1, 100) does not"),
        (
            2_550,
            "2,550 is not it: that is the sum of the even numbers themselves: square each with .map(lambda x: x * x)",
        ),
        (12, "12 is not it: keep the even numbers from 1 to 100, square each one, add the squares up"),
        (
            [x * x for x in range(2, 101, 2)],
            "you have a list of 50 numbers, expected one number: they add up to the right total: "
            "let Spark add them with .sum() instead of .collect()",
        ),
        (
            [1, 2],
            "you have a list of 2 numbers, expected one number: ask Spark for one number: .sum() instead of .collect()",
        ),
        ("171700", "expected one number, got str: end the job with .sum()"),
        (True, "expected one number, got bool: end the job with .sum()"),
    ],
)
def test_0_1_wrong(answer, message):
    wrong(check.exercise_0_1(answer), message)


# --- 1.1 top hashtags -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def top_tags():
    return lesson01.ranked(lesson01.hashtag_counts())[:10]


def test_1_1_right_in_any_reasonable_shape(top_tags):
    assert check.exercise_1_1(top_tags).message == "right: the top 10 hashtags, counted, sorted and cut in Spark"
    assert check.exercise_1_1(dict(top_tags))
    assert check.exercise_1_1(tuple(top_tags))
    assert check.exercise_1_1([[tag, n] for tag, n in top_tags])
    assert check.exercise_1_1([(f"#{tag.upper()}", n) for tag, n in top_tags])  # tokens from the text


def test_top_10_ties_may_come_in_either_order_and_either_may_take_the_cut():
    counts = Counter({**{f"w{i}": 100 - i for i in range(7)}, "x": 60, "y": 60, "a": 50, "b": 50, "c": 10})
    hints = {"item": "word", "noun": "words", "unknown_hint": str, "count_hint": lambda w, n: ""}
    top = [(f"w{i}", 100 - i) for i in range(7)]
    for answer in ([*top, ("x", 60), ("y", 60), ("a", 50)], [*top, ("y", 60), ("x", 60), ("b", 50)]):
        assert lesson01._compare_top(answer, counts, **hints)
    wrong(
        lesson01._compare_top([*top, ("x", 60), ("y", 60), ("c", 10)], counts, **hints),
        "a word more common than 'c' (10) is missing: sort by count, highest first, before you take 10",
    )


def test_1_1_wrong_length(top_tags):
    wrong(check.exercise_1_1(top_tags[:8]), "you have 8 hashtags, expected 10: did you takeOrdered(10, …)?")
    wrong(
        check.exercise_1_1(lesson01.ranked(lesson01.hashtag_counts())),
        f"you have {len(lesson01.hashtag_counts())} hashtags, expected 10: did you takeOrdered(10, …)?",
    )


def test_1_1_wrong_order(top_tags):
    wrong(
        check.exercise_1_1(top_tags[::-1]),
        "right hashtags and counts, but not in order: highest count first, e.g. takeOrdered(10, key=lambda kv: -kv[1])",
    )


def test_1_1_swapped_pairs(top_tags):
    wrong(
        check.exercise_1_1([(n, tag) for tag, n in top_tags]),
        "your pairs look like (count, hashtag): put the hashtag first, e.g. ('sometag', 42)",
    )


def test_1_1_a_count_off_by_one(top_tags):
    tag, n = top_tags[3]
    answer = [*top_tags[:3], (tag, n - 1), *top_tags[4:]]
    wrong(
        check.exercise_1_1(answer),
        f"the count of '{tag}' is not right ({n - 1}): count every hashtag of every tweet: "
        "flatMap(lambda t: t.hashtags), map to (tag, 1), reduceByKey(add)",
    )


def test_1_1_alphabetical_instead_of_by_count():
    counts = lesson01.hashtag_counts()
    answer = sorted(counts.items())[:10]  # takeOrdered(10) without a key
    low_tag, low = min(answer, key=lambda kv: kv[1])
    result = check.exercise_1_1(answer)
    wrong(
        result,
        f"a hashtag more common than '{low_tag}' ({low}) is missing: sort by count, highest first, before you take 10",
    )
    hides(
        lesson01.ranked(counts)[:10], result, check.exercise_1_1(None), check.exercise_1_1(lesson01.ranked(counts)[:10])
    )


def test_1_1_unknown_and_duplicated(top_tags):
    wrong(
        check.exercise_1_1([*top_tags[:9], ("nosuchtag", 3)]),
        "'nosuchtag' is not a hashtag of the sample: take them from each tweet's t.hashtags",
    )
    wrong(
        check.exercise_1_1([*top_tags[:9], top_tags[0]]),
        f"'{top_tags[0][0]}' comes 2 times: reduceByKey(add) so that each hashtag comes once",
    )


def test_1_1_not_pairs(top_tags):
    wrong(
        check.exercise_1_1([tag for tag, _ in top_tags]),
        f"each entry should be a (hashtag, count) pair like ('sometag', 42); '{top_tags[0][0]}' is not",
    )
    wrong(
        check.exercise_1_1(42),
        "expected a list of (hashtag, count) pairs like [('sometag', 42), ('othertag', 17)]; got int",
    )


# --- 1.2 words per language ----------------------------------------------------------------------------


def test_1_2_right():
    expected = lesson01.words_per_language()
    assert expected.keys() >= {"en", "es", "fr", "de", "pt", "ja"}
    assert sum(expected.values()) == sum(lesson01.word_counts().values())
    result = check.exercise_1_2(dict(expected))
    assert result.message == "right: every language's words, from one reduceByKey on (lang, number of words)"
    assert check.exercise_1_2(list(expected.items()))
    tweets = dict(Counter(t.lang for t in lesson01.sample_tweets()))
    others = [
        check.exercise_1_2(tweets),
        check.exercise_1_2({**expected, "es": expected["es"] + 1}),
        check.exercise_1_2(None),
    ]
    assert not any(others)
    for n in expected.values():
        for r in [result, *others]:
            assert str(n) not in r.message and f"{n:,}" not in r.message


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        (
            lambda: dict(Counter(t.lang for t in lesson01.sample_tweets())),
            "these are numbers of tweets per language, not of words: "
            "map each tweet to (t.lang, len(text.tokenize(t.text)))",
        ),
        (
            lambda: lesson01._per_lang(lambda s: text.tokenize(s, stop=frozenset({""}))),
            "your counts include stopwords ('the', 'is', …): text.tokenize(t.text) drops them, keep its default",
        ),
        (
            lambda: lesson01._per_lang(str.split),
            "you split on spaces: text.tokenize(t.text) also drops URLs, @mentions, numbers and stopwords",
        ),
    ],
    ids=["tweets", "stopwords", "split"],
)
def test_1_2_usual_mistakes(variant, message):
    wrong(check.exercise_1_2(variant()), message)


def test_1_2_missing_extra_and_off_by_one():
    expected = lesson01.words_per_language()
    wrong(
        check.exercise_1_2({k: v for k, v in expected.items() if k != "ja"}),
        "missing language(s) ja: keep every tweet and key it by t.lang",
    )
    wrong(check.exercise_1_2({**expected, "xx": 1}), "unexpected key(s) xx: key each tweet by its t.lang")
    wrong(
        check.exercise_1_2({**expected, "es": expected["es"] + 1}),
        f"the count for 'es' is not right ({expected['es'] + 1}): add up len(text.tokenize(t.text)) "
        "over that language's tweets: map to (t.lang, n), then reduceByKey(add)",
    )


def test_1_2_one_pair_per_tweet_not_reduced():
    pairs = [(t.lang, len(text.tokenize(t.text))) for t in lesson01.sample_tweets()]
    n_en = sum(1 for lang, _ in pairs if lang == "en")
    wrong(check.exercise_1_2(pairs), f"'en' comes {n_en} times: reduceByKey(add) so that each language comes once")


def test_1_2_wrong_type():
    wrong(check.exercise_1_2(42), "expected a dict {language: words} (collectAsMap() gives one); got int")


# --- 1.3 positive/negative ratio ----------------------------------------------------------------------


def test_1_3_right():
    tally = lesson01.polarity_counts()
    ratio = tally["positive"] / tally["negative"]
    assert tally["positive"] > 0 and tally["negative"] > 0
    result = check.exercise_1_3(ratio)
    assert result.message == "right: positive word occurrences divided by negative ones, over every token"
    assert check.exercise_1_3(round(ratio, 2))  # rounded to two decimals is right too
    upside_down, distinct = (
        1 / ratio,
        lesson01._ratio_variants()[
            "you counted distinct words; count every occurrence (a word seen 500 times counts 500 times)"
        ],
    )
    others = [check.exercise_1_3(upside_down), check.exercise_1_3(distinct), check.exercise_1_3(None)]
    assert not any(others)
    hides_number(ratio, result, *others)
    hides_number(tally["positive"], result, *others)


def test_1_3_matches_the_way_the_notebook_counts():
    scores = lexicon.load()
    tally = Counter(lexicon.polarity(w, scores) for t in lesson01.sample_tweets() for w in text.tokenize(t.text))
    assert tally == lesson01.polarity_counts()


def test_1_3_usual_mistakes_each_get_their_reason():
    variants = lesson01._ratio_variants()
    right = lesson01.sentiment_ratio()
    assert len(variants) == 6
    for why, value in variants.items():
        if abs(value - right) <= lesson01.RATIO_TOLERANCE:
            continue  # a mistake that makes no difference on this sample is not one
        wrong(check.exercise_1_3(value), f"{value:.3f} is not it: {why}")


def test_1_3_upside_down():
    ratio = 1 / lesson01.sentiment_ratio()
    wrong(
        check.exercise_1_3(ratio),
        f"{ratio:.3f} is not it: upside down: divide positive by negative, not negative by positive",
    )


def test_1_3_other_shapes():
    wrong(check.exercise_1_3((3, 4)), "you have two numbers, 3 and 4: the answer is one number, positive / negative")
    wrong(
        check.exercise_1_3({"positive": 3, "negative": 4, "neutral": 9}),
        "you have the counts by polarity: the answer is one number, answer['positive'] / answer['negative']",
    )
    wrong(check.exercise_1_3("1.2"), "expected one number (positive ÷ negative); got str")
    wrong(
        check.exercise_1_3(9.0),
        "9.000 is not it: count every token whose lexicon.polarity is 'positive', every one that is 'negative', "
        "and divide the first by the second",
    )


# --- 1.4 top negative words -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def top_negative():
    return lesson01.ranked(lesson01.negative_word_counts())[:10]


def test_1_4_right(top_negative):
    scores = lexicon.load()
    assert all(lexicon.polarity(w, scores) == "negative" for w, _ in top_negative)
    result = check.exercise_1_4(top_negative)
    assert result.message == "right: the top 10 negative words, counted, sorted and cut in Spark"
    top10 = lesson01.ranked(lesson01.word_counts())[:10]
    after = check.exercise_1_4([(w, n) for w, n in top10 if lexicon.polarity(w, scores) == "negative"])
    hides(top_negative, result, after, check.exercise_1_4(None))


def test_1_4_a_positive_word(top_negative):
    good = lesson01.word_counts()["good"]
    wrong(
        check.exercise_1_4([*top_negative[:9], ("good", good)]),
        "'good' is not negative: lexicon.polarity gives 'positive' — keep the words for which "
        "lexicon.polarity(w, lex_b.value) == 'negative'",
    )


def test_1_4_a_stopword(top_negative):
    wrong(
        check.exercise_1_4([*top_negative[:9], ("no", 5)]),
        "'no' is not one of the counted words: it is a stopword, and text.tokenize drops stopwords (keep its default)",
    )


def test_1_4_filtered_after_taking_the_top(top_negative):
    scores = lexicon.load()
    top10 = lesson01.ranked(lesson01.word_counts())[:10]
    answer = [(w, n) for w, n in top10 if lexicon.polarity(w, scores) == "negative"]
    assert len(answer) < 10
    wrong(
        check.exercise_1_4(answer),
        f"you have {len(answer)} negative words, expected 10: did you takeOrdered(10, …)? "
        "Filter the negative words before you take the top 10, not after",
    )


def test_1_4_counted_tweets_instead_of_words(top_negative):
    per_tweet = Counter(w for t in lesson01.sample_tweets() for w in set(text.tokenize(t.text)))
    differs = [(w, n) for w, n in top_negative if per_tweet[w] != n]
    if not differs:
        pytest.skip("no negative word occurs twice in one tweet in this sample")
    w, _ = differs[0]
    answer = [(x, per_tweet[x] if x == w else m) for x, m in top_negative]
    wrong(
        check.exercise_1_4(answer),
        f"the count of '{w}' is not right ({per_tweet[w]}): you counted tweets that contain it; "
        "count every occurrence: flatMap the tokens",
    )


# --- plots.bar_top_words -----------------------------------------------------------------------------


def test_bar_top_words_colours_and_order():
    rows = [("love", 30, "positive"), ("hate", 20, "negative"), ("day", 10, "neutral")]
    fig = plots.bar_top_words(None, rows, title="t")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    bars = ax.patches
    assert [b.get_width() for b in bars] == [30, 20, 10]
    colours = [b.get_facecolor()[:3] for b in bars]
    assert colours == [to_rgb(plots.COLOURS[p]) for p in ("positive", "negative", "neutral")]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["love", "hate", "day"]
    assert ax.yaxis_inverted()  # the first row on top


def test_bar_top_words_on_given_axes_and_missing_glyphs(recwarn):
    fig = Figure()
    ax = fig.add_subplot()
    assert plots.bar_top_words(ax, [("👎", 3, "negative")]) is fig
    assert [t.get_text() for t in ax.get_yticklabels()] == ["[thumbs down sign]"]
    fig.savefig(BytesIO(), format="png")  # would warn "Glyph … missing from font(s)" for the emoji itself
    assert not [w for w in recwarn if "Glyph" in str(w.message)]


def test_bar_top_words_rejects_an_unknown_polarity():
    with pytest.raises(ValueError, match="unknown polarity"):
        plots.bar_top_words(None, [("x", 1, "happy")])
