"""A real SMS gateway stand-in on loopback: an HTTP server (http.server, in a thread) that
keeps every JSON body POSTed to it and answers with the statuses it is told to, in order
(then 200)."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Gateway:
    def __init__(self):
        self.posts: list[dict] = []
        self.answers: list[int] = []          # statuses for the next POSTs, then 200
        self.delay = 0.0
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                body["_content_type"] = self.headers.get("Content-Type")
                with gateway._lock:
                    gateway.posts.append(body)
                    status = gateway.answers.pop(0) if gateway.answers else 200
                if gateway.delay:
                    time.sleep(gateway.delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}' if status < 300 else b'{"error": "refused"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def notices(self) -> list[dict]:
        """The notice POSTs (verification codes excluded)."""
        with self._lock:
            return [p for p in self.posts if "template_id" in p]

    def codes(self) -> list[dict]:
        with self._lock:
            return [p for p in self.posts if "code" in p and "template_id" not in p]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
