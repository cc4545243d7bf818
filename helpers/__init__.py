"""Spark Streaming Sentiment Lab helpers: the plumbing that keeps the notebooks short.

Import what a notebook needs, e.g. ``from helpers import spark, tweets, text, lexicon``.
Only the two UI modules (``helpers.ui.dashboard``, ``helpers.ui.window_explorer``) import ipywidgets; the
rest run in any Python process, Spark's workers included.
"""

__version__ = "0.1.0"
