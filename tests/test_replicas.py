"""Two portal processes on one PostgreSQL database behind nginx (deploy/nginx.conf.template),
all on loopback: a citizen files a complaint through nginx and an official on either process
sees it; votes cast through both processes add up exactly; both processes start at once."""
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text

from conftest import PG_URL, ROOT, _pg_schema_url

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
if not os.path.exists(NGINX) or not PG_URL:
    if os.environ.get("CI"):
        raise RuntimeError("CI needs nginx (apt-get install -y nginx) and PORTAL_TEST_DATABASE_URL")
    pytest.skip("nginx or PostgreSQL is not available", allow_module_level=True)

from helpers.browser import browser, open_page, sign_in  # noqa: E402,F401
from helpers.browser import file_complaint, verify_phone  # noqa: E402
from benchmarks.common import render_template  # noqa: E402  (the one filler of the nginx template)
from helpers.server import free_port  # noqa: E402

SECRET = "replica-test-secret-" + "x" * 40


def _wait(url: str, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replicas")
    schema = f"rep_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _pg_schema_url(PG_URL, schema)
    ports = {"A": free_port(), "B": free_port()}
    listen = free_port()
    env = {**os.environ, "PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": SECRET,
           "PORTAL_VAR_DIR": str(tmp / "var"), "PORTAL_DEMO": "1", "PORTAL_TRUSTED_PROXY": "1",
           # Streamlit refuses the cookie secret as a command-line flag.
           "STREAMLIT_SERVER_COOKIE_SECRET": "replica-cookie-secret"}
    env.pop("PORTAL_JURISDICTION", None)
    processes = [subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        for port in ports.values()]
    nginx = None
    try:
        for port in ports.values():
            _wait(f"http://127.0.0.1:{port}/_stcore/health")
        conf = tmp / "nginx.conf"
        conf.write_text(render_template((ROOT / "deploy" / "nginx.conf.template").read_text(), {
            "PREFIX": str(tmp), "PORT_A": str(ports["A"]), "PORT_B": str(ports["B"]),
            "LISTEN": str(listen)}))
        nginx = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        _wait(f"http://127.0.0.1:{listen}/_stcore/health")
        yield {"url": url, "tmp": tmp / "var", "nginx": f"http://127.0.0.1:{listen}",
               "A": f"http://127.0.0.1:{ports['A']}", "B": f"http://127.0.0.1:{ports['B']}"}
    finally:
        for p in processes + ([nginx] if nginx else []):
            p.terminate()
        for p in processes + ([nginx] if nginx else []):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        from portal.db import make_engine

        make_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _first_business(url: str) -> int:
    from portal.db import Database
    from portal.registry.models import Business

    with Database(url).read() as session:
        return session.scalar(select(Business.id).order_by(Business.id))


def test_both_processes_start_at_once_and_seed_once(cluster, browser):
    # The first page of each process sets up the database; only one may migrate and seed.
    for name in ("A", "B"):
        open_page(browser, cluster[name] + "/").get_by_test_id("stMetric").first.wait_for(timeout=120_000)
    from portal.db import Database
    from portal.registry.models import Business

    with Database(cluster["url"]).read() as session:
        assert session.scalar(select(func.count()).select_from(Business)) == 600


def test_complaint_through_nginx_seen_by_officials_on_both_processes(cluster, browser):
    open_page(browser, cluster["nginx"] + "/").get_by_test_id("stMetric").first.wait_for(timeout=120_000)
    tracking_no, _code = file_complaint(
        browser, f"{cluster['nginx']}/complaint?business={_first_business(cluster['url'])}",
        "经过负载均衡提交：米粉里有一根塑料丝。", "代理测试", "13966667777")
    from portal.complaints.models import Complaint
    from portal.db import Database

    with Database(cluster["url"]).read() as session:
        case_id = session.scalar(select(Complaint.id).where(Complaint.tracking_no == tracking_no))
    assert case_id
    for name in ("A", "B"):
        desk = open_page(browser, f"{cluster[name]}/complaint_queue?id={case_id}")
        sign_in(desk, cluster["tmp"], "demo_handler")
        desk.get_by_text(f"投诉 {tracking_no}").wait_for(timeout=60_000)
        desk.get_by_text("139****7777").wait_for(timeout=60_000)
        assert "13966667777" not in desk.inner_text("main")


def test_votes_through_both_processes_add_up(cluster, browser):
    from portal.accounts.rules import cli_actor
    from portal.db import Database
    from portal.rounds import management
    from portal.rounds.models import Candidate, Vote
    from portal.rounds.queries import tallies
    from portal.timeutil import local_today

    today = local_today()
    db = Database(cluster["url"])
    with db.write() as session:
        round_ = management.create_round(session, cli_actor("test"), {
            "title": "多进程投票测试", "description": "两个进程同时收票，票数应当一致。",
            "proposal_from": today - timedelta(days=9), "proposal_to": today - timedelta(days=8),
            "vote_from": today - timedelta(days=1), "vote_to": today + timedelta(days=5),
            "results_due": today + timedelta(days=30), "sample_count": 1, "daily_votes": 1})
        session.add(Candidate(round_id=round_.id, food="多进程测试食品", status="accepted"))
        round_id = round_.id
    for n, base in enumerate((cluster["A"], cluster["B"], cluster["nginx"])):
        page = open_page(browser, f"{base}/rounds?round={round_id}", width=390)
        page.get_by_role("heading", name="投票", exact=True).wait_for(timeout=60_000)
        verify_phone(page, f"1378888000{n}")
        page.get_by_role("button", name="投一票").click()
        page.get_by_text("今天已投").wait_for(timeout=60_000)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Vote).where(Vote.round_id == round_id)) == 3
        assert [t.votes for t in tallies(session, round_id)] == [3]


@pytest.mark.security
def test_streamlit_metrics_are_not_served_through_nginx(cluster):
    """The counters answer on the process itself (for operators) and never through nginx."""
    with urllib.request.urlopen(cluster["A"] + "/_stcore/metrics", timeout=30) as direct:
        assert direct.status == 200 and b"session" in direct.read()
    for path in ("/_stcore/metrics", "/_stcore/metrics?families=session_events_total"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(cluster["nginx"] + path, timeout=30)
        assert refused.value.code == 404
