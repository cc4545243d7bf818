"""Awkward lines of would-be tweet JSON: what every parser of the kit must judge as ``parse_line`` does.

``tests/test_structured.py`` checks the SQL parser against ``parse_line`` on them, ``tests/test_tweets.py``
the engines' fast path (``tweets.fields``).
"""

from __future__ import annotations

import json


def st(data, **top):
    """One line in the stream shape: ``{"data": data, **top}``."""
    return json.dumps({"data": data, **top})


HI = {"id": "1", "text": "hi"}
EDGE = [
    # blank, or not quite
    "", "   ", "\t\r", "\x1c", "\u3000\u2028", "\ufeff", "\ufeff" + st(HI),
    # one JSON value, and nothing after it
    st(HI), st(HI) + " trailing", st(HI) + "}", st(HI) + "]", st(HI) + ",{}", st(HI) + '{"x":1}',
    st(HI) + "  ", "  " + st(HI), "{'data':{'id':'1','text':'hi'}}", '{"data":{"id":"1","text":"hi","n":NaN}}',
    '{"data":{"id":"1","text":"hi","n":1e400}}', '{"data":{"id":"1","text":"hi","n":-1e400}}',
    '{"data":{"id":"1","text":"hi","n":1e308}}', '{"data":{"id":"1","text":"hi","n":"1e400"}}',
    '{"data":{"id":"1","text":"hi","n":' + "9" * 320 + "}}",
    '{"data":{"id":"1","text":"a\\ud800b"}}', '{"data":{"id":"1","text":"a\\udc00b"}}',
    '{"data":{"id":"1","text":"a\\ud83d\\ude00b"}}', '{"data":{"id":"1","text":"a\\\\ud800b"}}',
    '{"data":{"id":"1","text":"x","id":"2","text":"y"}}', '{"data":{"id":"1","text":"x"},"data":5,"text":"t","id":1}',
    '{"data":{"id":"1","text":"a\tb"}}', '{"data":{"id":"1","text":"a\\tb"}}', '{"data":{"id":"1","text":"\\q"}}',
    '{"data":{"id":"1","text":"x",}}', '{"data":{"id":01,"text":"x"}}', '{"data":{"id":"1","text":"x"} /*c*/}',
    '{"data":{"id":"1","text":"\\u0000x"}}', '{"data":{"id":"1","text":"\x7f"}}',
    '{"\\u0064ata":{"id":"1","text":"escaped key"}}', "[" * 998 + "]" * 998, "{{{{}}}}",
    # not an object
    '[{"data":{"id":"1","text":"hi"}}]', "null", "42", '"s"', "[]", "{}", "true",
    # ids
    st({"id": 1, "text": "hi"}), st({"id": -5, "text": "hi"}), st({"id": 1.5, "text": "hi"}),
    '{"data":{"id":1.0,"text":"hi"}}', '{"data":{"id":1e2,"text":"hi"}}', st({"id": True, "text": "hi"}),
    st({"id": False, "text": "hi"}), st({"id": None, "text": "hi"}), st({"id": [1], "text": "hi"}),
    st({"id": {}, "text": "hi"}), '{"data":{"id":18446744073709551615,"text":"hi"}}',
    '{"data":{"id":18446744073709551616,"text":"hi"}}', '{"data":{"id":9223372036854775808,"text":"hi"}}',
    '{"data":{"id":-9223372036854775809,"text":"hi"}}',
    # texts, long posts
    st({"id": "1", "text": ""}), st({"id": "1", "text": 5}), st({"id": "1", "text": None}),
    st({"id": "1", "text": ["a"]}), st({"id": "1", "text": {"a": 1}}), st({"id": "1"}), st({"text": "hi"}),
    *[st({"id": "1", "text": "short", "note_tweet": {"text": t}})
      for t in ("the long one is good", "", 0, 7, True, False, [], [0], {}, {"a": 1})],
    st({"id": "1", "text": "short", "note_tweet": "str"}), st({"id": "1", "text": "short", "note_tweet": None}),
    st({"id": "1", "note_tweet": {"text": "only note"}}),
    # bare search items, and what is not one
    json.dumps({"id": "1", "text": "search item"}), json.dumps({"id": "1", "text": None, "note_tweet": {"text": "n"}}),
    json.dumps({"id": "1", "note_tweet": {"text": "note"}}), json.dumps({"text": "no id"}),
    json.dumps({"data": "not an object", "id": 2, "text": "search with data string"}),
    json.dumps({"data": [], "id": 2, "text": "data list"}), json.dumps({"data": {}, "id": 2, "text": "empty data"}),
    json.dumps({"data": None, "id": 2, "text": "data null"}), json.dumps({"errors": [{"title": "x"}]}),
    json.dumps({"errors": [], "id": "1", "text": "errors and a search item"}),
    # fields Python would trip over, or not
    *[st(HI, includes=v) for v in (5, 0, [], [1], "s", "", {"users": 5}, {"users": True}, {"users": 0},
                                    {"users": "abc"}, {"users": {"a": 1}}, {"users": [1, "x", {"id": 1}]},
                                    {"users": 1.5})],
    *[st(HI, matching_rules=v) for v in ([{"tag": "climate"}], [{"tag": 5}], [{"tag": True}], [{"tag": None}],
                                          [{"id": 1}], ["climate"], "climate", {"a": 1}, {}, 5, 0, True, [],
                                          [[{"tag": "x"}]])],
    *[st({**HI, "entities": v}) for v in (5, [], [1], {"hashtags": 5}, {"hashtags": [1, {"tag": 2}]})],
    *[st({**HI, "public_metrics": v}) for v in ("x", "", {"retweet_count": "x"})],
    *[st({**HI, "lang": v}) for v in ("en", 5, None, True)],
    st({**HI, "created_at": 5}), st({**HI, "created_at": "not a time"}), st({**HI, "created_at": None}),
    st({**HI, "created_at": True}), st({**HI, "author_id": [1, 2]}),
    json.dumps({"id": "1", "text": "search", "includes": 5, "matching_rules": 5}),
    json.dumps({"id": "1", "text": "search", "entities": 5}),
    # not UTF-8 any more, or too long
    '{"data":{"id":"1","text":"caf\ufffd"}}', "x" * 100_001, '{"data":{"id":"1","text":"' + "a" * 99_950 + '"}}',
    '{"data":{"id":"1","text":"' + "a" * 100_000 + '"}}',
]  # fmt: skip
