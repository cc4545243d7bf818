"""Self-checks for notebook 01 (RDD word count): top hashtags, words per language, sentiment ratio.

``check.exercise_1_1(answer)`` … ``check.exercise_1_4(answer)`` print ✓ or ✗ with what is wrong and why.
Each one works out the right answer itself, in plain Python from the shipped sample (no Spark), with
the same helpers the notebook uses (``tweets.parse_line``, ``text.tokenize``, ``lexicon.polarity``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from helpers import lexicon, paths, text, tweets
from helpers.check.base import Verdict, as_pairs, is_number, ranked, verdict
from helpers.check.lesson00 import is_rdd, not_answered, not_computed

__all__ = ["exercise_1_1", "exercise_1_2", "exercise_1_3", "exercise_1_4"]

TOP = 10
#: Shapes shown in a ✗ message: made-up keys and counts, so that no message shows part of the answer.
EXAMPLES = {
    "hashtag": [("sometag", 42), ("othertag", 17)],
    "word": [("someword", 42), ("otherword", 17)],
    "language": [("xx", 420), ("yy", 170)],
}
#: How close a ratio must be to count as right (so 1.31 is right when the exact value is 1.3121…).
RATIO_TOLERANCE = 0.005


# --- the right answers, in plain Python --------------------------------------------------------------


@cache
def sample_tweets() -> tuple[tweets.Tweet, ...]:
    """Every tweet of the four topic files, read line by line as ``sc.textFile`` reads them."""
    found = []
    for path in paths.sample_files():
        with path.open(encoding="utf-8") as lines:
            found += [t for line in lines if (t := tweets.parse_line(line)) is not None]
    return tuple(found)


@cache
def word_counts() -> Counter[str]:
    """Every token (``text.tokenize``, stopwords dropped) of every tweet, counted."""
    return Counter(w for t in sample_tweets() for w in text.tokenize(t.text))


@cache
def hashtag_counts() -> Counter[str]:
    """How often each hashtag occurs (``Tweet.hashtags``: lower-case, without the ``#``)."""
    return Counter(tag for t in sample_tweets() for tag in t.hashtags)


@cache
def words_per_language() -> dict[str, int]:
    """Language → number of tokens (``text.tokenize``, stopwords dropped) in its tweets."""
    totals: Counter[str] = Counter()
    for t in sample_tweets():
        totals[str(t.lang)] += len(text.tokenize(t.text))
    return dict(totals)


@cache
def polarity_counts() -> Counter[str]:
    """Token occurrences by polarity (default lexicon): ``{"positive": …, "negative": …, "neutral": …}``."""
    return _by_polarity(word_counts(), lexicon.load())


def _by_polarity(counts: Mapping[str, int], scores: Mapping[str, float]) -> Counter[str]:
    tally: Counter[str] = Counter()
    for word, n in counts.items():
        tally[lexicon.polarity(word, scores)] += n
    return tally


def sentiment_ratio() -> float:
    """Positive word occurrences divided by negative ones, over every token of the sample."""
    tally = polarity_counts()
    return tally["positive"] / tally["negative"]


@cache
def negative_word_counts() -> Counter[str]:
    """The tokens whose polarity (default lexicon, hashtags as their word) is negative, counted."""
    scores = lexicon.load()
    return Counter({w: n for w, n in word_counts().items() if lexicon.polarity(w, scores) == "negative"})


def _compare_top(
    answer: Any,
    counts: Mapping[str, int],
    *,
    item: str,
    noun: str,
    normalise: Callable[[str], str] = lambda w: w,
    unknown_hint: Callable[[str], str],
    count_hint: Callable[[str, int], str],
    short_hint: str = "",
) -> Verdict:
    """Check a top-``TOP`` list of ``(key, count)`` pairs against ``counts``; ties at the cut are fine."""
    if answer is None:
        return not_answered()
    if is_rdd(answer):
        return not_computed(f".takeOrdered({TOP}, key=lambda kv: -kv[1])")
    pairs = as_pairs(answer, item, EXAMPLES[item])
    if isinstance(pairs, str):
        return verdict(False, "", pairs)
    if len(pairs) != TOP:
        more = short_hint if len(pairs) < TOP else ""
        return verdict(False, "", f"you have {len(pairs)} {noun}, expected {TOP}: did you takeOrdered({TOP}, …)?{more}")
    keys = [normalise(k) for k, _ in pairs]
    seen = Counter(keys)
    twice = next((k for k in keys if seen[k] > 1), None)
    if twice is not None:
        return verdict(
            False, "", f"'{twice}' comes {seen[twice]} times: reduceByKey(add) so that each {item} comes once"
        )
    for key, (_, got) in zip(keys, pairs, strict=True):
        if key not in counts:
            return verdict(False, "", f"'{key}' is not {unknown_hint(key)}")
        if got != counts[key]:
            return verdict(False, "", f"the count of '{key}' is not right ({got}): {count_hint(key, got)}")
    low_key, low = min(zip(keys, (n for _, n in pairs), strict=True), key=lambda kv: kv[1])
    missing = next((k for k, n in ranked(counts) if n > low and k not in set(keys)), None)
    if missing is not None:
        return verdict(
            False,
            "",
            f"a {item} more common than '{low_key}' ({low}) is missing: sort by count, highest first, "
            f"before you take {TOP}",
        )
    got_counts = [n for _, n in pairs]
    if got_counts != sorted(got_counts, reverse=True):
        return verdict(
            False,
            "",
            f"right {noun} and counts, but not in order: highest count first, "
            f"e.g. takeOrdered({TOP}, key=lambda kv: -kv[1])",
        )
    return verdict(True, f"right: the top {TOP} {noun}, counted, sorted and cut in Spark", "")


# --- the exercises ------------------------------------------------------------------------------------


def exercise_1_1(answer: Any) -> Verdict:
    """The 10 most common hashtags as ``(tag, count)`` pairs, highest first (``#`` optional)."""
    counts = hashtag_counts()
    per_tweet = Counter(tag for t in sample_tweets() for tag in set(t.hashtags))

    def count_hint(tag: str, got: int) -> str:
        if got == per_tweet[tag] and got != counts[tag]:
            return "you counted tweets with the tag; count every occurrence: flatMap(lambda t: t.hashtags)"
        return "count every hashtag of every tweet: flatMap(lambda t: t.hashtags), map to (tag, 1), reduceByKey(add)"

    return _compare_top(
        answer,
        counts,
        item="hashtag",
        noun="hashtags",
        normalise=lambda w: w.lower().removeprefix("#"),
        unknown_hint=lambda tag: "a hashtag of the sample: take them from each tweet's t.hashtags",
        count_hint=count_hint,
    )


def exercise_1_4(answer: Any) -> Verdict:
    """The 10 most common negative words as ``(word, count)`` pairs, highest first."""
    counts = negative_word_counts()
    scores = lexicon.load()
    all_words = word_counts()
    per_tweet = Counter(w for t in sample_tweets() for w in set(text.tokenize(t.text)))

    def unknown_hint(word: str) -> str:
        if word in text.stopwords():
            return "one of the counted words: it is a stopword, and text.tokenize drops stopwords (keep its default)"
        if word not in all_words:
            return "a token of the sample: flatMap(lambda t: text.tokenize(t.text)) gives the tokens"
        return (
            f"negative: lexicon.polarity gives '{lexicon.polarity(word, scores)}' — keep the words for which "
            "lexicon.polarity(w, lex_b.value) == 'negative'"
        )

    def count_hint(word: str, got: int) -> str:
        if got == per_tweet[word] and got != counts[word]:
            return "you counted tweets that contain it; count every occurrence: flatMap the tokens"
        return "count every token of every tweet: flatMap(lambda t: text.tokenize(t.text)), then reduceByKey(add)"

    return _compare_top(
        answer,
        counts,
        item="word",
        noun="negative words",
        unknown_hint=unknown_hint,
        count_hint=count_hint,
        short_hint=" Filter the negative words before you take the top 10, not after",
    )


def exercise_1_2(answer: Any) -> Verdict:
    """Language → number of words (``text.tokenize``, stopwords dropped) in that language's tweets."""
    if answer is None:
        return not_answered()
    if is_rdd(answer):
        return not_computed(".collectAsMap()")
    expected = words_per_language()
    if not isinstance(answer, (Mapping, list, tuple)):
        kind = type(answer).__name__
        return verdict(False, "", f"expected a dict {{language: words}} (collectAsMap() gives one); got {kind}")
    pairs = as_pairs(answer, "language", EXAMPLES["language"])
    if isinstance(pairs, str):
        return verdict(False, "", pairs)
    seen = Counter(str(k) for k, _ in pairs)
    twice = next((k for k, n in seen.items() if n > 1), None)
    if twice is not None:
        return verdict(
            False, "", f"'{twice}' comes {seen[twice]} times: reduceByKey(add) so that each language comes once"
        )
    got = {str(k): n for k, n in pairs}
    missing = sorted(expected.keys() - got.keys())
    if missing:
        return verdict(False, "", f"missing language(s) {', '.join(missing)}: keep every tweet and key it by t.lang")
    extra = sorted(map(str, got.keys() - expected.keys()))
    if extra:
        return verdict(False, "", f"unexpected key(s) {', '.join(extra)}: key each tweet by its t.lang")
    if got == expected:
        return verdict(True, "right: every language's words, from one reduceByKey on (lang, number of words)", "")
    tweets_per_lang = Counter(str(t.lang) for t in sample_tweets())
    keep_all: frozenset[str] = frozenset()
    variants = {
        "these are numbers of tweets per language, not of words: "
        "map each tweet to (t.lang, len(text.tokenize(t.text)))": dict(tweets_per_lang),
        "your counts include stopwords ('the', 'is', …): text.tokenize(t.text) drops them, keep its default": _per_lang(
            lambda s: text.tokenize(s, stop=keep_all)
        ),
        "you split on spaces: text.tokenize(t.text) also drops URLs, @mentions, numbers and stopwords": _per_lang(
            str.split
        ),
        "these are distinct words per language: count every word of every tweet": {
            lang: len({w for t in sample_tweets() if str(t.lang) == lang for w in text.tokenize(t.text)})
            for lang in expected
        },
    }
    for why, variant in variants.items():
        if got == variant:
            return verdict(False, "", why)
    lang = next(k for k in sorted(expected, key=lambda k: -expected[k]) if got[k] != expected[k])
    return verdict(
        False,
        "",
        f"the count for '{lang}' is not right ({got[lang]}): add up len(text.tokenize(t.text)) "
        "over that language's tweets: map to (t.lang, n), then reduceByKey(add)",
    )


def _per_lang(split: Callable[[str], list[str]]) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for t in sample_tweets():
        totals[str(t.lang)] += len(split(t.text))
    return dict(totals)


def exercise_1_3(answer: Any) -> Verdict:
    """Positive word occurrences divided by negative ones (default lexicon, every token, hashtags too)."""
    if answer is None:
        return not_answered()
    if is_rdd(answer):
        return not_computed(".countByValue()")
    expected = sentiment_ratio()
    if isinstance(answer, (list, tuple)) and len(answer) == 2 and all(is_number(x) for x in answer) and answer[1]:
        return verdict(
            False,
            "",
            f"you have two numbers, {answer[0]} and {answer[1]}: the answer is one number, positive / negative",
        )
    if isinstance(answer, Mapping) and {"positive", "negative"} <= answer.keys():
        return verdict(
            False,
            "",
            "you have the counts by polarity: the answer is one number, answer['positive'] / answer['negative']",
        )
    if not is_number(answer):
        return verdict(False, "", f"expected one number (positive ÷ negative); got {type(answer).__name__}")
    if abs(answer - expected) <= RATIO_TOLERANCE:
        return verdict(True, "right: positive word occurrences divided by negative ones, over every token", "")
    for why, variant in _ratio_variants().items():
        if abs(answer - variant) <= RATIO_TOLERANCE:
            return verdict(False, "", f"{answer:.3f} is not it: {why}")
    return verdict(
        False,
        "",
        f"{answer:.3f} is not it: count every token whose lexicon.polarity is 'positive', every one that is "
        "'negative', and divide the first by the second",
    )


@cache
def _ratio_variants() -> dict[str, float]:
    """What the usual mistakes give, each with the sentence that explains it."""
    scores = lexicon.load()
    counts = word_counts()

    def ratio(tally: Mapping[str, float]) -> float:
        return tally["positive"] / tally["negative"] if tally["negative"] else float("nan")

    right = polarity_counts()
    distinct = Counter(lexicon.polarity(w, scores) for w in counts)
    exact: Counter[str] = Counter()
    summed: Counter[str] = Counter()
    for w, n in counts.items():
        s = scores.get(w, 0.0)
        exact["positive" if s > 0 else "negative" if s < 0 else "neutral"] += n
        s = lexicon.word_score(w, scores)
        if s:
            summed["positive" if s > 0 else "negative"] += abs(s) * n
    by_tweet = Counter(
        "positive" if s > 0 else "negative" if s < 0 else "neutral"
        for s in (lexicon.tweet_score(text.words(t.text), scores) for t in sample_tweets())
    )
    return {
        "upside down: divide positive by negative, not negative by positive": 1 / ratio(right),
        "you counted distinct words; count every occurrence (a word seen 500 times counts 500 times)": ratio(distinct),
        "that is the ratio within the top 50 words only; count every token": ratio(
            _by_polarity(dict(ranked(counts)[:50]), scores)
        ),
        "hashtags count too: '#love' is as positive as 'love' — use lexicon.polarity(w, lex_b.value), which looks "
        "hashtags up without their #, rather than lex_b.value.get(w)": ratio(exact),
        "you added up the scores; the ratio counts words: each positive occurrence counts 1, whatever its score": ratio(
            summed
        ),
        "that is a ratio of tweets (by lexicon.tweet_score); count words instead": ratio(by_tweet),
    }
