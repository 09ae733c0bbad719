"""A pytest plugin for tests/test_security_marker.py: writes the node id of every test that
`-m` deselected, one a line, to the file named by PORTAL_DESELECTED_LOG."""
import os


def pytest_deselected(items):
    with open(os.environ["PORTAL_DESELECTED_LOG"], "a", encoding="utf-8") as log:
        log.writelines(f"{item.nodeid}\n" for item in items)
