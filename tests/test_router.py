"""The router (portal/ui/router.py): every page file is served, at the URL and with the
script hash Streamlit's `pages/` layout gave it (links and bookmarks unchanged), from pages
made once per process; and the server's own import of the entry script switches that layout
off, so that no visit sets up the 31 pages again (issue 17)."""
import os
import subprocess
import sys

from streamlit.source_util import page_icon_and_name
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from conftest import ROOT
from portal.ui import nav, router

ENTRY = str(ROOT / "streamlit_app.py")


def test_every_page_file_is_routed():
    files = {"streamlit_app.py"} | {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert sorted(spec.path for spec in nav.PAGES) == sorted(files)


def test_pages_keep_the_urls_and_script_hashes_of_the_pages_layout(app_env):
    """The browser sends the script hash back on every rerun and people bookmark the URLs:
    both are what Streamlit's pages/ layout made from the file names."""
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    assert not at.exception
    made = list(router._made[at._script_path].values())
    assert len(made) == len(nav.PAGES)
    for spec, page in zip(nav.PAGES, made):
        name = page_icon_and_name(ROOT / spec.path)[1]
        home = spec.path == "streamlit_app.py"       # served at the site's root
        assert (page.url_path, page._script_hash, page._default) == (
            "" if home else name, calc_hash(name), home), spec.path
    at.switch_page("pages/about.py").run()          # a page reached through the router
    assert not at.exception and list(router._made[at._script_path].values()) == made   # made once


def test_the_servers_import_switches_the_pages_layout_off(tmp_path):
    """`streamlit run` imports the entry script to find its st.App before any visit."""
    check = ("import streamlit_app\n"
             "from streamlit.runtime.pages_manager import PagesManager\n"
             "print(PagesManager.uses_pages_directory)")
    env = {**os.environ, "PORTAL_VAR_DIR": str(tmp_path),
           "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}"}
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    assert "ScriptRunContext" not in done.stderr      # nothing alarming in the server's log
