"""Spark Streaming Sentiment Lab helpers: the plumbing that keeps the notebooks short.

Import what a notebook needs, e.g. ``from helpers import spark, tweets, text, lexicon``.
Only ``helpers.dashboard`` imports ipywidgets; the rest run in any Python process.
"""

__version__ = "0.1.0"
