"""bench/submit.py and bench/bare_app.py: the bare pair's routes, the open loop's latency clock,
and a run that cannot measure ends with exit code 1 and no report."""

from __future__ import annotations

import http.server
import os
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench import submit
from bench.bare_app import PAGE, create_bench_app, create_scratch_table

ROOT = Path(__file__).resolve().parent.parent


def test_bare_routes_serve_a_page_and_commit_one_row_without_csrf(tmp_path):
    path = tmp_path / "bench.db"
    app = create_bench_app({"LENTERA_INSTANCE_PATH": str(tmp_path / "instance"),
                            "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "t"})
    create_scratch_table(app)
    client = app.test_client()
    page = client.get("/bench/page")
    assert page.status_code == 200 and page.get_data(as_text=True) == PAGE
    for _ in range(2):
        posted = client.post("/bench/insert", data={"x": "1"})
        assert posted.status_code == 200 and posted.data == b"ok"
    # Read from another connection: the rows are committed, not only in the app's session.
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM bench_row").fetchone() == (2,)
    # The exemption covers the bench blueprint only: the product's forms still need a token.
    assert client.post("/isi", data={"code": "ABCD-EFGH-JKMN"}).status_code == 400


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bench.submit", *args], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.slow
def test_a_server_that_cannot_start_ends_the_run_with_exit_1_and_no_report(tmp_path):
    out = tmp_path / "submit.md"
    done = _run(["--backends", "sqlite", "--seconds", "0.5", "--rounds", "1",
                 "--worker-class", "no-such-worker", "--out", str(out)])
    assert done.returncode == 1, done.stdout + done.stderr
    assert "bench/submit: sqlite: gunicorn exited during start-up" in done.stderr
    assert not out.exists()


def test_an_unusable_database_ends_the_run_with_exit_1_and_no_report(tmp_path):
    out = tmp_path / "submit.md"
    done = _run(["--backends", "postgres", "--out", str(out)],
                LENTERA_TEST_PG_URL="postgresql://root@127.0.0.1:1/test")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "bench/submit: postgres: cannot create a database" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


class _SlowRespondent(http.server.BaseHTTPRequestHandler):
    """The respondent pages as bench/submit.py reads them; each POST takes 50 ms."""

    protocol_version = "HTTP/1.1"

    def _send(self, body: bytes, cookie: str = "") -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (BaseHTTPRequestHandler's name)
        self._send(b'<input id="csrf_token" name="csrf_token" type="hidden" value="t">',
                   "session=s; Path=/")

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(0.05)
        self._send(b"Terima kasih")

    def log_message(self, *_args: object) -> None:
        pass


def test_open_loop_latency_runs_from_the_scheduled_start():
    """Offered 50/s to a server that answers 20/s, through one connection at a time: each
    submission's own exchange takes ~50 ms, but the later ones start ever further behind their
    schedule, and that wait is their latency too (no coordinated omission)."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _SlowRespondent)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    out: queue.Queue = queue.Queue()
    try:
        submit._open_process(server.server_address[1], [f"C{i}" for i in range(25)], {"a": "1"},
                             time.time() + 0.1, 50.0, 1, out)  # type: ignore[arg-type]
    finally:
        server.shutdown()
        server.server_close()
    latencies, errors, _last, lag = out.get_nowait()
    assert errors == 0 and len(latencies) == 25
    # The last one was due at 0.48 s and started at ~24 x 50 ms = 1.2 s.
    assert lag > 0.5
    assert max(latencies) > 0.5 + 0.05
    assert min(latencies) < 0.2
