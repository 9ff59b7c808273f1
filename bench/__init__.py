"""Benchmarks for the OneStop engine: step cost of SpiffWorkflow in memory, a naive
persisted step, ``engine.services.complete`` and HTTP throughput.

Run ``python -m bench.engine`` (``--quick`` for a smoke run); figures are printed
and written to ``bench/results/engine.json``.
"""
