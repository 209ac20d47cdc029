"""Benchmarks of govreport_nlp against physical references, run with ``python -m benchmarks``.

See docs/performance.md.
"""
