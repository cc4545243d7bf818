"""Spark set-up (the only home of py4j internals), the preflight, and a standalone cluster on 127.0.0.1."""
