"""Faults, on a throw-away PostgreSQL cluster of the test's own (initdb, pg_ctl), never the
shared server: the database restarted under load, the database unreachable while a citizen
submits, a page whose query fails."""
import glob
import os
import shutil
import socket
import subprocess
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from helpers.pages import open_page, texts

BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)
if BIN is None or not os.path.exists(os.path.join(BIN, "initdb")):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs PostgreSQL's server binaries (apt-get install -y postgresql)")
    pytest.skip("PostgreSQL server binaries are not installed", allow_module_level=True)


class Cluster:
    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "data")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args):
        command = [os.path.join(BIN, args[0]), *args[1:]]
        if os.geteuid() == 0:     # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self):
        os.makedirs(self.root, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres")
        self.start()

    def _ctl(self, action, *extra):
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.root, "log"), "-w", *extra, action)

    def start(self):
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.root, "log"), "-w",
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1", "start")

    def stop(self):
        self._ctl("stop", "-m", "fast")

    def restart(self):
        self.stop()
        self.start()


@pytest.fixture
def cluster():
    import tempfile

    # Directly under /tmp: pytest's own folders are closed to the postgres user.
    root = tempfile.mkdtemp(prefix="portal-pg-")
    c = Cluster(root)
    c.init()
    yield c
    from portal.db import make_engine

    make_engine.cache_clear()
    try:
        c.stop()
    except subprocess.CalledProcessError:
        pass
    shutil.rmtree(root, ignore_errors=True)


def test_portal_recovers_from_a_database_restart_under_load(cluster, tmp_path):
    from helpers.complaints import add_business, client, complaint_form
    from portal.bootstrap import bootstrap
    from portal.complaints import filing
    from portal.complaints.models import Complaint, ComplaintEvent
    from portal.config import load_settings

    portal = bootstrap(load_settings({"PORTAL_DATABASE_URL": cluster.url, "PORTAL_DEMO": "0",
                                      "PORTAL_VAR_DIR": str(tmp_path / "var")}))
    business_id = add_business(portal)
    outcomes: list[tuple[float, str]] = []
    stop = threading.Event()

    def load():
        n = 0
        while not stop.is_set():
            n += 1
            try:
                with portal.db.write() as session:
                    filing.submit(session, portal.settings.secret_key, portal.profile.adcode,
                                  complaint_form(business_id, phone=f"139{n:08d}"), [],
                                  client(n % 200))
                outcomes.append((time.monotonic(), "ok"))
            except Exception as exc:   # counted: only connection errors are expected
                outcomes.append((time.monotonic(), type(exc).__name__))
                time.sleep(0.05)

    worker = threading.Thread(target=load)
    worker.start()
    time.sleep(1.5)
    restart_started = time.monotonic()
    cluster.restart()
    restart_done = time.monotonic()
    time.sleep(2.0)
    stop.set()
    worker.join(timeout=30)
    before = [o for t, o in outcomes if t < restart_started]
    after = [o for t, o in outcomes if t > restart_done + 0.5]
    errors = {o for _, o in outcomes if o != "ok"}
    assert before and all(o == "ok" for o in before)
    assert len(after) >= 5 and all(o == "ok" for o in after), after[:10]
    assert errors <= {"OperationalError", "InterfaceError", "DBAPIError"}, errors
    with portal.db.read() as session:
        complaints = session.scalar(select(func.count()).select_from(Complaint))
        events = session.scalar(select(func.count()).select_from(ComplaintEvent))
    # Nothing half-written: every stored complaint has its first event, and each success is stored.
    assert complaints == events == sum(1 for _, o in outcomes if o == "ok")


def test_citizen_submits_while_the_database_is_down(cluster, app_env, monkeypatch):
    from portal.complaints.models import Complaint
    from portal.db import Database
    from portal.timeutil import local_today

    monkeypatch.setenv("PORTAL_DATABASE_URL", cluster.url)
    monkeypatch.setenv("PORTAL_DEMO", "0")
    at = open_page("pages/complaint.py")
    assert not at.exception, at.exception
    at.toggle(key="c_unlisted").set_value(True).run()
    at.text_input(key="c_business_name").input("夜市无名烧烤摊")
    at.selectbox(key="c_district").set_value("430802")
    at.selectbox(key="c_category").set_value("卫生状况差")
    at.date_input(key="c_occurred").set_value(local_today() - timedelta(days=1))
    at.text_area(key="c_description").input("烧烤摊的肉放在地上，苍蝇很多，很不卫生。")
    at.text_area(key="c_claim").input("请查处")
    at.text_input(key="c_name").input("断线测试")
    at.text_input(key="c_phone").input("13911110000")
    at.checkbox(key="c_consent").check()
    cluster.stop()
    next(b for b in at.button if b.label == "提交").click()
    at.run()
    assert "系统暂时无法保存，您填写的内容都还在" in texts(at)
    assert at.text_area(key="c_description").value.startswith("烧烤摊的肉")
    assert at.text_input(key="c_phone").value == "13911110000"
    cluster.start()
    next(b for b in at.button if b.label == "提交").click()
    at.run()
    assert "我们已收到您的投诉" in texts(at), texts(at)
    with Database(cluster.url).read() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 1


@pytest.mark.security
def test_a_failing_page_shows_a_friendly_message_and_logs(cluster, app_env, monkeypatch, caplog):
    monkeypatch.setenv("PORTAL_DATABASE_URL", cluster.url)
    monkeypatch.setenv("PORTAL_DEMO", "0")
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "s" * 48)
    at = open_page("pages/business.py")
    assert not at.exception
    cluster.stop()
    at.query_params["q"] = "超市"
    at.run()
    assert "页面暂时出错了" in texts(at)
    assert not at.exception               # production: no traceback
    assert any("failed for anonymous" in r.getMessage() for r in caplog.records)
