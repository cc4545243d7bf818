"""Spark's Python daemon (``pyspark.daemon``), with what every worker inherits kept out of the garbage collector.

Spark forks its Python workers from one daemon process per executor and keeps each worker for later tasks; after
every task the worker runs ``gc.collect()``, which walks every object it holds, the tens of thousands it inherited
from the daemon included (and, by touching them, makes the fork copy their memory pages). Here the daemon imports
the worker's code once, before any fork, and then ``gc.freeze()``\\ s what is alive, so that each collect walks only
what the task made. Measured here: 600 small tasks took the workers 7.3 CPU s with ``pyspark.daemon``, 1.1 with
this one; nothing a task computes changes. ``helpers.infra.spark`` starts it (``spark.python.daemon.module``)
wherever the workers run this interpreter.

``pyspark.daemon`` imports the worker module only after the fork, because pandas and pyarrow start threads when
they are imported and a process must not fork with threads running. ``pyspark.worker`` imports neither and starts
no thread (``tests/test_python_workers.py`` checks it); a task that needs pyarrow imports it in its worker, after
the fork, as before.
"""

from __future__ import annotations

import gc

import pyspark.worker  # noqa: F401  imported before the fork, so that every worker inherits it frozen
from pyspark.daemon import manager

if __name__ == "__main__":
    gc.freeze()
    manager()
