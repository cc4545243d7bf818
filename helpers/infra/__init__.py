"""Spark set-up (``spark``, the only home of py4j internals), the preflight, child processes and ports
(``processes``), and a standalone cluster on 127.0.0.1 (``cluster``)."""
