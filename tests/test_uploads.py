"""What one browser session may upload, against a real server (`streamlit run`) with real
HTTP PUTs to Streamlit's upload endpoint, as a file_uploader's browser sends them: a live
websocket session (its id comes in the server's first message), Streamlit's XSRF cookie and
header, a multipart body. Anonymous: 5 MB a file, 20 MB a session; a signed-in official:
45 MB passes; the server's memory stays under 1 GB through it all."""
import http.client
import os
import time
from contextlib import ExitStack
from datetime import timedelta

import pytest

from helpers.server import free_port, start_portal

pytestmark = pytest.mark.security
MB = 1024 * 1024
SECRET = "upload-limit-test-secret-" + "u" * 40


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from portal.bootstrap import bootstrap
    from portal.config import load_settings

    tmp = tmp_path_factory.mktemp("uploads")
    port = free_port()
    env = {**os.environ, "PORTAL_VAR_DIR": str(tmp), "PORTAL_DEMO": "0", "PORTAL_SECRET_KEY": SECRET,
           "PORTAL_DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}"}
    env.pop("PORTAL_JURISDICTION", None)
    portal = bootstrap(load_settings(env))         # migrated before the server starts
    proc = start_portal(env, port)
    yield {"port": port, "base": f"http://127.0.0.1:{port}", "pid": proc.pid, "portal": portal}
    proc.terminate()
    proc.wait(timeout=20)


class Browser:
    """One browser tab: its websocket session and XSRF token, and its cookies."""

    def __init__(self, server, cookie: str = ""):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string
        from websockets.sync.client import connect

        self.port, self.xsrf = server["port"], generate_xsrf_token_string()
        self.cookie = f"_streamlit_xsrf={self.xsrf}" + (f"; {cookie}" if cookie else "")
        self.open = ExitStack()
        self.socket = self.open.enter_context(connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit", self.xsrf],
            open_timeout=30, additional_headers={"Cookie": self.cookie, "Origin": server["base"]},
            # The page's messages are never read after new_session: with the library's default
            # bounded queue reading stops, the server's close frame is never seen, and each
            # close waits out its 10 s timeout.
            max_queue=None))
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        self.socket.send(rerun.SerializeToString())
        deadline = time.time() + 120
        while time.time() < deadline:
            message = ForwardMsg()
            message.ParseFromString(self.socket.recv(timeout=120))
            if message.WhichOneof("type") == "new_session":
                self.session_id = message.new_session.initialize.session_id
                return
        raise AssertionError("no new_session message")

    def put(self, file_id: str, size: int, chunked: bool = False) -> int:
        """PUT a photo-like file of `size` bytes; the status, or 413 when the server cut the
        body off mid-way (it answered and closed while we were still sending)."""
        boundary = "----portaltest"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_id}.jpg\""
                f"\r\nContent-Type: image/jpeg\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": self.cookie,
                   "X-Xsrftoken": self.xsrf}

        def body():
            yield head
            block = b"\xff" * MB
            for start in range(0, size, MB):
                yield block[:min(MB, size - start)]
            yield tail

        try:
            if chunked:
                conn.request("PUT", f"/_stcore/upload_file/{self.session_id}/{file_id}", body=body(),
                             headers=headers, encode_chunked=True)
            else:
                conn.putrequest("PUT", f"/_stcore/upload_file/{self.session_id}/{file_id}")
                for name, value in headers.items():
                    conn.putheader(name, value)
                conn.putheader("Content-Length", str(len(head) + size + len(tail)))
                conn.endheaders()
                for part in body():
                    conn.send(part)
            return conn.getresponse().status
        except (BrokenPipeError, ConnectionResetError):
            try:
                return conn.getresponse().status
            except (http.client.HTTPException, OSError):
                return 413
        finally:
            conn.close()

    def close(self):
        self.open.close()


def memory(pid: int) -> tuple[int, int]:
    """(resident now, highest resident so far) of a process, in bytes."""
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return tuple(int(fields[name].split()[0]) * 1024 for name in ("VmRSS", "VmHWM"))


def official_cookie(server) -> str:
    from portal import cookies
    from portal.accounts import sessions
    from portal.official_session import official_cookie as spec
    from helpers.db import official

    portal = server["portal"]
    actor = official(portal, "publisher")
    with portal.db.write() as session:
        _, code = sessions.start(session, SECRET, actor.id, timedelta(hours=10))
        token = sessions.redeem(session, SECRET, code)
    cookie_spec = spec(portal.settings.session_hours)
    from portal.timeutil import utcnow

    value = cookies.sign(SECRET, cookie_spec.purpose, token, utcnow() + timedelta(hours=1))
    return f"{cookie_spec.name}={value}"


def test_an_anonymous_session_holds_at_most_5_mb_a_file_and_20_mb_in_all(server):
    tab = Browser(server)
    try:
        assert tab.put("too-big", 6 * MB) == 413
        assert tab.put("too-big-chunked", 6 * MB, chunked=True) == 413
        assert tab.put("photo-1", 5 * MB) == 204
        assert [tab.put(f"photo-{n}", 5 * MB) for n in (2, 3, 4)] == [204] * 3
        assert tab.put("photo-5", 1 * MB) == 413                     # 20 MB held already
        assert tab.put("photo-5-chunked", 1 * MB, chunked=True) == 413
        assert tab.put("photo-4", 4 * MB) == 204                     # replacing one is fine
    finally:
        tab.close()


def test_a_signed_in_official_uploads_an_announcement_file(server):
    tab = Browser(server, official_cookie(server))
    forged = Browser(server, "portal_official=forged")
    try:
        assert tab.put("announcement", 45 * MB) == 204
        assert forged.put("announcement", 45 * MB) == 413
    finally:
        tab.close()
        forged.close()


def test_many_attempts_keep_the_server_under_1_gb(server):
    tabs = [Browser(server) for _ in range(6)]
    try:
        for n in range(12):              # twelve 45 MB uploads (the review's 813 MB)
            tab = tabs[n % len(tabs)]
            assert tab.put(f"big-{n}", 45 * MB, chunked=n % 2 == 1) == 413
        for tab in tabs:                 # and every session filled to its 20 MB
            assert [tab.put(f"p{n}", 5 * MB) for n in range(5)] == [204] * 4 + [413]
        now, highest = memory(server["pid"])
        print(f"server memory: {now // MB} MB now, {highest // MB} MB at most")
        assert highest < 1024 * MB, (now // MB, highest // MB)
    finally:
        for tab in tabs:
            tab.close()
