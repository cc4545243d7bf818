"""On-demand benchmarks of the kit's engines: ``python -m benchmarks`` (or ``make bench``) prints one table.

Never part of the test suite: the numbers depend on the machine and how busy it is. See
``docs/performance.md`` for what each row measures and what bounds it.
"""
