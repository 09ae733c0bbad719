"""Benchmarks: `python -m benchmarks NAME [--quick]` or `python -m benchmarks all`.

Each prints one JSON object per line on standard output (../shared/design/BENCHMARKS.md);
progress goes to standard error. The run exits non-zero if any line is not ok.
"""
