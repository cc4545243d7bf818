"""The seed's live D3 page: a loopback server for the page and for the JSON lines a stream writes.

``helpers.ui.web.serve("live.jsonl")`` returns a running server (``.url``, ``.stop()``, a context manager);
``python -m helpers web --input live.jsonl`` is the same from a terminal. The contract of the lines is
in docs/json-contract.md; ``check_snapshot`` says why a line breaks it.
"""

from helpers.ui.web.server import LineIndex, WebServer, check_snapshot, register, serve

__all__ = ["LineIndex", "WebServer", "check_snapshot", "register", "serve"]
