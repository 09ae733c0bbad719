"""Helpers shared by the tests (import as `from helpers import ...`; tests/ is on sys.path
because pytest's rootdir conftest lives there)."""
