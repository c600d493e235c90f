"""Respondent submissions through gunicorn (2 workers) on loopback, SQLite and PostgreSQL.

A submission = GET the code form (CSRF token + session cookie) + POST the code and all 50
answers of the three culture instruments; it must come back with the receipt. The server app
is bench/bare_app.py: the product's app plus the bare pair (GET a static page + POST inserting
one row, no validation or CSRF), the baseline of the ratio.

- Closed loop: 32 clients (threads over a few processes, so the client side is not limited by
  one GIL), each sending its next pair when the last one is answered. The bare pair and the
  submissions alternate in rounds, so each round's ratio compares phases seconds apart.
- Open loop: submissions offered at a fixed rate (default 50/s), each start scheduled in
  advance whatever the responses take; latency runs from the scheduled start, so a server that
  falls behind shows in it (no coordinated omission).
- The survey page's body size as the server sends it, without and with Accept-Encoding: gzip.

If the server does not start or a phase completes nothing, the run stops with a message and
exit code 1 and writes no report.

    .venv/bin/python -m bench.submit            # 6 rounds of 5 s, open loop 25 s; bench/submit.md
    .venv/bin/python -m bench.submit --quick    # 2 rounds of 3 s, open loop 15 s
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import multiprocessing as mp
import os
import platform
import queue
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CULTURE = ["resistance", "readiness", "learning"]
PG_URL = os.environ.get("LENTERA_TEST_PG_URL", "postgresql://root@127.0.0.1:5432/test")
TOKEN = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
CODE_KEY = "bench-code-key"
APP = "bench.bare_app:create_bench_app()"  # what gunicorn serves
SURVEY_PAGE = b'name="answers" value="1"'  # only the survey page carries this field


class BenchFailed(RuntimeError):
    """The bench could not measure: the server did not start, or a phase completed nothing."""


@dataclass(frozen=True)
class Result:
    """One load phase: completed pairs, their latencies (s), errors, wall time (s), and the CPU
    seconds each part of the machine spent in it (`cpu_used`; empty without Linux /proc)."""

    name: str
    latencies: list[float]
    errors: int
    seconds: float
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Completed pairs per second."""
        return len(self.latencies) / self.seconds

    def pct(self, q: float) -> float:
        """Latency percentile in milliseconds."""
        return float(np.percentile(self.latencies, q) * 1000) if self.latencies else float("nan")


# --- database and server -------------------------------------------------------------------

@contextlib.contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    """A fresh database URL (SQLite file, or a random-named PostgreSQL database)."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    import psycopg

    name = f"lentera_b_{secrets.token_hex(5)}"
    try:
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise BenchFailed(f"cannot create a database at {PG_URL}: {exc}") from exc
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(url: str, workdir: Path, n_codes: int) -> tuple[list[str], dict[str, str]]:
    """Schema via migrations, the bare pair's scratch table, one unit, an open wave of the three
    culture instruments, codes."""
    sys.path.insert(0, str(ROOT))
    from bench.bare_app import create_bench_app, create_scratch_table
    from instruments import load_instrument
    from survey_app.database import upgrade_schema
    from survey_app.extensions import db
    from survey_app.models import Unit
    from survey_app.services import create_wave, issue_codes, open_wave

    app = create_bench_app({"LENTERA_INSTANCE_PATH": str(workdir), "DATABASE_URL": url,
                            "SECRET_KEY": "bench", "LENTERA_CODE_KEY": CODE_KEY})
    upgrade_schema(app)
    create_scratch_table(app)  # here, before gunicorn's workers start
    with app.app_context():
        unit = Unit(code="BENCH", name="Unit bench", headcount=n_codes)
        db.session.add(unit)
        db.session.flush()
        wave = create_wave(name="Bench", period="2026-Q1", instrument_keys=CULTURE,
                           unit_ids=[unit.id], opens_on=dt.date(2026, 1, 1),
                           closes_on=dt.date(2026, 12, 31), cut="jabatan", actor="bench")
        open_wave(wave, actor="bench")
        codes = [c.code for start in range(0, n_codes, 10_000)  # issue_codes caps a batch
                 for c in issue_codes(wave, unit, min(10_000, n_codes - start), key=CODE_KEY,
                                      actor="bench")]
        db.session.commit()
        db.engine.dispose()
    answers = {item.code: "3" for ident in CULTURE
               for scale in load_instrument(ident).scales for item in scale.items}
    return codes, {**answers, "cut": "fungsional"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(url: str, workers: int, worker_class: str) -> Iterator[tuple[int, int]]:
    """The running interpreter's gunicorn with gunicorn.conf.py serving `APP` on a random
    loopback port; yields (port, master pid)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "LENTERA_CODE_KEY": CODE_KEY,
           "LENTERA_SECRET_KEY": "bench", "LENTERA_ACCESS_LOG": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
         "--worker-class", worker_class, APP], cwd=ROOT, env=env)
    try:
        _wait_ready(port, proc)
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_ready(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchFailed(f"gunicorn exited during start-up (exit code {proc.returncode}; "
                              "its own messages are above)")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/bench/page")
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise BenchFailed("gunicorn did not answer GET /bench/page within 60 s")


# --- CPU accounting (Linux /proc) ---------------------------------------------------------

CPU_PARTS = ("server", "database", "clients", "other")


def _proc_stats() -> Iterator[tuple[int, int, str, float]]:
    """(pid, parent pid, command name, CPU seconds used) of every process we can read."""
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        yield int(entry.name), int(fields[1]), name, (int(fields[11]) + int(fields[12])) / tick


def _serves(pid: int, database: str) -> bool:
    """Whether PostgreSQL process `pid` is a backend connected to `database` (its title)."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return f" {database} ".encode() in title.replace(b"\0", b" ")


def cpu_snapshot(server_pid: int | None, database: str | None = None) -> dict[str, float]:
    """CPU seconds used so far by each gunicorn process (master and workers, "server:PID"),
    by each PostgreSQL backend connected to `database` ("database:PID"; none for SQLite),
    and by the whole machine (busy time, /proc/stat); {} without a server pid or where /proc
    is missing. Other sessions' databases on the same server are not counted."""
    if server_pid is None or not Path("/proc/stat").exists():
        return {}
    snap = {}
    for pid, ppid, name, used in _proc_stats():
        if server_pid in (pid, ppid):
            snap[f"server:{pid}"] = used
        elif database and name == "postgres" and _serves(pid, database):
            snap[f"database:{pid}"] = used
    user, nice, system, _idle, _iowait, irq, softirq = (
        int(x) for x in Path("/proc/stat").read_text().split()[1:8])
    snap["machine"] = (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")
    return snap


def cpu_used(before: dict[str, float], after: dict[str, float], clients: float
             ) -> dict[str, float]:
    """CPU seconds of one phase by part, summed over the processes alive at its end (one that
    started meanwhile counts from zero); `other` is the machine's rest (kernel, other jobs)."""
    if not before or not after:
        return {}
    used = {part: sum(spent - before.get(key, 0.0) for key, spent in after.items()
                      if key.startswith(f"{part}:")) for part in ("server", "database")}
    used["clients"] = clients
    used["other"] = max(0.0, after["machine"] - before["machine"] - sum(used.values()))
    return used


# --- clients -------------------------------------------------------------------------------

def _submission(conn: http.client.HTTPConnection, code: str, answers: dict[str, str]) -> bool:
    """GET the form as a new respondent (no cookie), POST code + answers; True on a receipt."""
    conn.request("GET", "/isi")
    resp = conn.getresponse()
    page = resp.read()
    cookie = (resp.getheader("Set-Cookie") or "").split(";", 1)[0]
    match = TOKEN.search(page)
    if resp.status != 200 or not match or not cookie:
        return False
    body = urllib.parse.urlencode({"csrf_token": match.group(1).decode(), "code": code}) \
        + "&" + _encoded(answers)
    conn.request("POST", "/isi/survei", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    resp = conn.getresponse()
    return resp.status == 200 and b"Terima kasih" in resp.read()


_ENCODED: dict[int, str] = {}


def _encoded(answers: dict[str, str]) -> str:
    """The answers part of the POST body, encoded once per client process."""
    if id(answers) not in _ENCODED:
        _ENCODED[id(answers)] = urllib.parse.urlencode({"answers": "1", **answers})
    return _ENCODED[id(answers)]


def _bare(conn: http.client.HTTPConnection, _code: str, _answers: dict[str, str]) -> bool:
    conn.request("GET", "/bench/page")
    resp = conn.getresponse()
    ok = resp.status == 200 and bool(resp.read())
    conn.request("POST", "/bench/insert", body="x=1",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    resp = conn.getresponse()
    return ok and resp.status == 200 and resp.read() == b"ok"


def _client_process(port: int, kind: str, threads: int, codes: list[str],
                    answers: dict[str, str], start: float, seconds: float,
                    out: mp.Queue) -> None:
    """`threads` clients looping until the deadline; puts (latencies, errors) on `out`."""
    action = _submission if kind == "submit" else _bare
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    per_thread = [codes[i::threads] for i in range(threads)]

    def run(my_codes: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while time.time() < start:
            time.sleep(0.001)
        while time.time() < start + seconds and (my_codes or kind != "submit"):
            code = my_codes.pop() if kind == "submit" else ""
            t0 = time.perf_counter()
            try:
                ok = action(conn, code, answers)
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if ok:
                mine.append(time.perf_counter() - t0)
            else:
                bad += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    workers = [threading.Thread(target=run, args=(c,)) for c in per_thread]
    for w in workers:
        w.start()
    while time.time() < start:
        time.sleep(0.001)
    cpu_start = time.process_time()  # this process's CPU from the start of the clock on
    for w in workers:
        w.join()
    out.put((latencies, errors[0], time.process_time() - cpu_start))


def load(port: int, kind: str, clients: int, processes: int, seconds: float,
         codes: list[str], answers: dict[str, str], server_pid: int | None = None,
         database: str | None = None) -> Result:
    """Run `clients` concurrent clients for `seconds`; collect every completed pair, and (given
    gunicorn's pid, and for PostgreSQL the database's name) the CPU that server, database,
    clients and the rest of the machine spent."""
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    start = time.time() + 1.5  # let every process start before the clock runs
    per_proc = clients // processes
    procs = [ctx.Process(target=_client_process, args=(
        port, kind, per_proc, codes[i::processes], answers, start, seconds, out))
        for i in range(processes)]
    for p in procs:
        p.start()
    time.sleep(max(0.0, start - time.time()))
    before = cpu_snapshot(server_pid, database)
    time.sleep(max(0.0, start + seconds - time.time()))
    after = cpu_snapshot(server_pid, database)
    parts = _collect(out, procs, time.time() + 60)
    return Result(kind, [x for lat, _e, _c in parts for x in lat], sum(e for _l, e, _c in parts),
                  seconds, cpu_used(before, after, sum(c for _l, _e, c in parts)))


def _collect(out: mp.Queue, procs: Sequence[BaseProcess], deadline: float) -> list[Any]:
    """Every client process's result, or BenchFailed once one has died without it (or at the
    deadline; a request times out after 30 s)."""
    parts: list[Any] = []
    while len(parts) < len(procs):
        try:
            parts.append(out.get(timeout=1))
        except queue.Empty:
            failed = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            if failed or time.time() > deadline:
                for p in procs:
                    p.kill()
                raise BenchFailed(f"a client process failed (exit codes {failed})") from None
    for p in procs:
        p.join()
    return parts


@dataclass(frozen=True)
class OpenLoop:
    """An open-loop phase: `offered` submissions/s for `seconds`; `result` holds the completed
    submissions' latencies from their scheduled starts; `span` (s) runs from the first
    scheduled start to the last completion; `lag` (s) is the latest any start came after its
    schedule (a saturated client pool would show here)."""

    offered: float
    result: Result
    span: float
    lag: float

    @property
    def achieved(self) -> float:
        """Completed submissions per second."""
        return len(self.result.latencies) / max(self.span, self.result.seconds)


def _open_process(port: int, codes: list[str], answers: dict[str, str], start: float,
                  rate: float, threads: int, out: mp.Queue) -> None:
    """Submission i starts at `start + i / rate` whatever the earlier ones take; `threads`
    clients take them in order, each on a new connection (a new respondent). Puts (latencies
    from the scheduled starts, errors, last completion, latest start after its schedule)."""
    lock = threading.Lock()
    todo = iter(enumerate(codes))
    latencies: list[float] = []
    state = {"errors": 0, "last": start, "lag": 0.0}

    def run() -> None:
        while True:
            with lock:
                i, code = next(todo, (-1, ""))
            if i < 0:
                return
            due = start + i / rate
            time.sleep(max(0.0, due - time.time()))
            begun = time.time()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                ok = _submission(conn, code, answers)
            except (OSError, http.client.HTTPException):
                ok = False
            finally:
                conn.close()
            done = time.time()
            with lock:
                if ok:
                    latencies.append(done - due)
                else:
                    state["errors"] += 1
                state["last"] = max(state["last"], done)
                state["lag"] = max(state["lag"], begun - due)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put((latencies, int(state["errors"]), state["last"], state["lag"]))


def open_loop(port: int, rate: float, seconds: float, threads: int, codes: list[str],
              answers: dict[str, str]) -> OpenLoop:
    """Offer `rate` submissions/s for `seconds` (one client process, `threads` connections)."""
    count = int(rate * seconds)
    if len(codes) < count:
        raise BenchFailed(f"open loop: {count} codes needed, {len(codes)} given")
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    start = time.time() + 1.5  # let the process and its threads start first
    proc = ctx.Process(target=_open_process, args=(port, codes[:count], answers, start, rate,
                                                   threads, out))
    proc.start()
    [(latencies, errors, last, lag)] = _collect(out, [proc], start + seconds + 90)
    return OpenLoop(rate, Result("open", latencies, errors, seconds), last - start, lag)


def page_sizes(port: int, code: str) -> list[tuple[str, str, int, str]]:
    """(page, Accept-Encoding sent, body bytes, Content-Encoding received) of the code form
    (GET /isi) and of the survey page (POST /isi/survei with a code and no answers), each
    asked without and with Accept-Encoding: gzip; the body is counted as the server sends it."""
    import gzip

    rows = []
    for accept in ("", "gzip"):
        headers = {"Accept-Encoding": accept} if accept else {}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", "/isi", headers=headers)
            resp = conn.getresponse()
            page, encoding = resp.read(), resp.getheader("Content-Encoding") or ""
            rows.append(("code form (GET /isi)", accept, len(page), encoding))
            plain = gzip.decompress(page) if encoding == "gzip" else page
            cookie = (resp.getheader("Set-Cookie") or "").split(";", 1)[0]
            match = TOKEN.search(plain)
            if resp.status != 200 or not match:
                raise BenchFailed(f"GET /isi answered {resp.status} without a form")
            body = urllib.parse.urlencode({"csrf_token": match.group(1).decode(), "code": code})
            conn.request("POST", "/isi/survei", body=body, headers={
                **headers, "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie})
            resp = conn.getresponse()
            page, encoding = resp.read(), resp.getheader("Content-Encoding") or ""
            plain = gzip.decompress(page) if encoding == "gzip" else page
            if resp.status != 200 or SURVEY_PAGE not in plain:
                raise BenchFailed(f"POST /isi/survei answered {resp.status} without the survey")
            rows.append(("survey page (POST /isi/survei)", accept, len(page), encoding))
        finally:
            conn.close()
    return rows


# --- in-process cost (no HTTP, no competing client processes) ------------------------------

def _wsgi_call(app, method: str, path: str, body: bytes = b"", cookie: str = ""
               ) -> tuple[str, dict[str, str], bytes]:
    """One request straight into the WSGI app (no server, no test client)."""
    import io

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "",
               "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
               "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
               "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
               "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1"}
    if body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        environ["CONTENT_LENGTH"] = str(len(body))
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    seen: dict[str, object] = {}

    def start_response(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
        seen.update(status=status, headers=dict(headers))

    data = b"".join(app(environ, start_response))
    return str(seen["status"]), seen["headers"], data  # type: ignore[return-value]


def inprocess(url: str, workdir: Path, codes: list[str], answers: dict[str, str],
              n: int = 300) -> dict[str, float]:
    """CPU milliseconds per request of each kind, calling the WSGI app directly (one thread)."""
    from bench.bare_app import create_bench_app
    from survey_app.extensions import db

    app = create_bench_app({"LENTERA_INSTANCE_PATH": str(workdir), "DATABASE_URL": url,
                            "SECRET_KEY": "bench", "LENTERA_CODE_KEY": CODE_KEY})
    body = _encoded(answers)
    spent = dict.fromkeys(("GET /isi", "POST /isi/survei", "GET bare", "POST bare"), 0.0)
    warm = 30
    for i, code in enumerate(codes[:n + warm]):
        t0 = time.process_time()
        _status, headers, page = _wsgi_call(app, "GET", "/isi")
        t1 = time.process_time()
        token = TOKEN.search(page).group(1).decode()  # type: ignore[union-attr]
        data = f"csrf_token={token}&code={code}&{body}".encode()
        t2 = time.process_time()
        status, _h, _d = _wsgi_call(app, "POST", "/isi/survei", data,
                                    headers["Set-Cookie"].split(";", 1)[0])
        t3 = time.process_time()
        if not status.startswith("200"):
            raise RuntimeError(f"in-process submission failed: {status}")
        if i >= warm:
            spent["GET /isi"] += t1 - t0
            spent["POST /isi/survei"] += t3 - t2
    for _ in range(n):
        t0 = time.process_time()
        _wsgi_call(app, "GET", "/bench/page")
        t1 = time.process_time()
        _wsgi_call(app, "POST", "/bench/insert", b"x=1")
        t2 = time.process_time()
        spent["GET bare"] += t1 - t0
        spent["POST bare"] += t2 - t1
    with app.app_context():
        db.engine.dispose()
    return {kind: total / n * 1000 for kind, total in spent.items()}


def commit_times(url: str, workdir: Path, n: int = 200) -> list[float]:
    """Seconds of each of `n` one-row INSERT + COMMIT, one after the other on one connection of
    the app's engine (so with the product's SQLite settings): the durable commit alone. SQLite
    lets one writer commit at a time, so 1 / this bounds its submissions/s from all workers."""
    import sqlalchemy as sa

    from bench.bare_app import create_bench_app
    from survey_app.extensions import db

    app = create_bench_app({"LENTERA_INSTANCE_PATH": str(workdir), "DATABASE_URL": url,
                            "SECRET_KEY": "bench", "LENTERA_CODE_KEY": CODE_KEY})
    times = []
    with app.app_context():
        for _ in range(n + 10):  # the first 10 open the connection and warm the cache
            t0 = time.perf_counter()
            db.session.execute(sa.text("INSERT INTO bench_row (id) VALUES (:id)"),
                               {"id": secrets.token_hex(16)})
            db.session.commit()
            times.append(time.perf_counter() - t0)
        db.engine.dispose()
    return times[10:]


NOTES = """Reading the figures: server, clients and PostgreSQL share the same two CPUs (with
whatever else runs on the machine; see the load average above), so the rates are bounded by
CPU. The bare pair does almost nothing (a constant page; one INSERT without validation), while
a submission pair carries the product: on the GET a CSRF token and a signed session cookie; on
the POST the NUL guard, session and CSRF check, rate-limit check, code HMAC and look-up,
validation of 50 answers, the store (code marked used, one response, 50 answers, in one
transaction) and the receipt. Through gunicorn the costs both pairs share (HTTP parsing,
sockets, clients) narrow the gap the in-process table shows.

In the closed loop each of the clients waits for its own pair, so its mean latency is clients /
rate whatever the server does; the open loop, whose offered rate does not depend on the
responses, is where latency is read.

Tried and dropped on earlier versions of the write path (quick interleaved runs, +-10 %): 4
threads per worker (PostgreSQL ratios 0.50, 0.55, 0.61 against 0.58, 0.58, 0.59 with 2; on
SQLite worse too); sys.setswitchinterval 0.2-1 ms; gunicorn's sync worker; a flock write turn
for SQLite writers; a raw-socket client instead of http.client (client CPU -33 %, but it
shrinks a cost both pairs share). Measured per statement on PostgreSQL then: the answers' 50
foreign-key checks took 0.44 ms of a store's 0.86-0.96 ms of database CPU; they stay
(referential integrity is not traded for a benchmark).

Earlier runs, on other machines and other versions of the write path, and their notes are in
this file's git history."""


# --- report --------------------------------------------------------------------------------

GOAL_CLOSED_RATE = 150  # submissions/s, closed loop, with 0 errors
GOAL_OPEN_RATE = 50  # submissions/s offered in the open loop ...
GOAL_OPEN_P95_MS = 250  # ... at which p95 must stay within this
GOAL_PAGE_BYTES = 8 * 1024  # survey page body as sent to a client that accepts gzip


@dataclass(frozen=True)
class BackendRun:
    """Everything measured on one database."""

    rounds: list[tuple[Result, Result]]  # (bare pair, submissions) per closed-loop round
    open: OpenLoop
    pages: list[tuple[str, str, int, str]]  # see page_sizes
    cost: dict[str, float]  # see inprocess
    commits: list[float]  # see commit_times


def checked(result: Result, what: str) -> Result:
    """`result`, unless it completed nothing (BenchFailed)."""
    if not result.latencies:
        raise BenchFailed(f"{what}: no {result.name} pair completed ({result.errors} errors)")
    return result


def run_backend(backend: str, args: argparse.Namespace) -> BackendRun:
    """Warm-up, `args.rounds` closed-loop rounds of (bare pair, submissions), the page sizes and
    the open loop on one backend, then the in-process cost."""
    per_phase = int(args.seconds * 1000) + 200  # codes enough for 1000 submissions/s
    closed = per_phase * args.rounds
    n_open = int(args.rate * args.open_seconds)
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as url:
        codes, answers = prepare(url, Path(tmp), closed + n_open + 1 + 1600)
        pg_name = url.rsplit("/", 1)[1] if backend == "postgres" else None
        rounds = []
        with gunicorn(url, args.workers, args.worker_class) as (port, pid):
            # Warm-up of both kinds, so that neither pays the first requests of a worker
            # (imports, page frames, the driver's prepared statements) in a measured phase.
            checked(load(port, "bare", args.clients, args.processes, 1.0, [], answers),
                    "warm-up")
            checked(load(port, "submit", args.clients, args.processes, 1.0, codes[-1200:],
                         answers), "warm-up")
            for r in range(args.rounds):
                bare = checked(load(port, "bare", args.clients, args.processes, args.seconds,
                                    [], answers, pid, pg_name), f"round {r + 1}")
                mine = codes[r * per_phase:(r + 1) * per_phase]
                real = checked(load(port, "submit", args.clients, args.processes, args.seconds,
                                    mine, answers, pid, pg_name), f"round {r + 1}")
                rounds.append((bare, real))
            pages = page_sizes(port, codes[closed + n_open])
            opened = open_loop(port, args.rate, args.open_seconds, args.open_clients,
                               codes[closed:closed + n_open], answers)
            checked(opened.result, "open loop")
        cost = inprocess(url, Path(tmp), codes[-1600:-1200], answers,
                         n=300 if args.seconds >= 2 else 30)
        commits = commit_times(url, Path(tmp), n=200 if args.seconds >= 2 else 20)
    return BackendRun(rounds, opened, pages, cost, commits)


def pooled(results: list[Result], name: str) -> Result:
    """All phases of one kind as one result (rate over their summed time)."""
    cpu = {part: sum(r.cpu[part] for r in results) for part in CPU_PARTS
           if all(r.cpu for r in results)}
    return Result(name, [x for r in results for x in r.latencies],
                  sum(r.errors for r in results), sum(r.seconds for r in results), cpu)


def cpu_table(summary: dict[str, tuple[Result, Result, float]]) -> list[str]:
    """Markdown lines: CPU per completed pair by part, and the ratios of the pairs' CPU."""
    if not all(bare.cpu and real.cpu for bare, real, _r in summary.values()):
        return []
    lines = ["", "CPU per completed pair, all rounds (from /proc: server = gunicorn's master and "
             "workers; database = the PostgreSQL backends connected to the bench's database, "
             "SQLite runs inside the workers; clients = the load processes while the clock ran; "
             "other = the rest of the machine's busy time, other jobs included). When the bench "
             "has the CPUs to itself, the ratio of the pairs' total CPU is the steadier "
             "estimate of the rate ratio; when other jobs share them, the ratio of server and "
             "database CPU is:", "",
             "| database | pair | server ms | database ms | clients ms | other ms | total ms |",
             "|---|---|---:|---:|---:|---:|---:|"]
    ratios = []
    for backend, (bare, real, _ratio) in summary.items():
        per_pair = {}
        for label, result in (("bare", bare), ("submission", real)):
            per_pair[label] = {part: 1000 * result.cpu[part] / max(1, len(result.latencies))
                               for part in CPU_PARTS}
            lines.append(f"| {backend} | {label} | " + " | ".join(
                f"{per_pair[label][part]:.2f}" for part in CPU_PARTS)
                + f" | {sum(per_pair[label].values()):.2f} |")
        total = {k: sum(v.values()) for k, v in per_pair.items()}
        own = {k: v["server"] + v["database"] for k, v in per_pair.items()}
        ratios.append(f"{backend} {total['bare'] / total['submission']:.2f} "
                      f"(server and database only: {own['bare'] / own['submission']:.2f})")
    lines += ["", "CPU ratio, bare pair / submission: " + "; ".join(ratios) + "."]
    return lines


def goal_lines(results: dict[str, BackendRun], summary: dict[str, tuple[Result, Result, float]]
               ) -> list[str]:
    """Markdown lines: the goals and, per database, whether this run met them."""
    lines = ["", f"Goals: closed loop >= {GOAL_CLOSED_RATE} submissions/s with 0 errors; open "
             f"loop at {GOAL_OPEN_RATE}/s offered p95 <= {GOAL_OPEN_P95_MS} ms; survey page "
             f"<= {GOAL_PAGE_BYTES // 1024} KB ({GOAL_PAGE_BYTES} bytes) of body as sent to a "
             "client that accepts gzip. The ratio to the bare pair is information.", ""]

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    for backend, run in results.items():
        _bare, real, ratio = summary[backend]
        checks = [f"closed loop {real.rate:.0f}/s >= {GOAL_CLOSED_RATE} "
                  f"{verdict(real.rate >= GOAL_CLOSED_RATE)}, {real.errors} errors "
                  f"{verdict(real.errors == 0)}"]
        p95 = run.open.result.pct(95)
        if run.open.offered == GOAL_OPEN_RATE:
            checks.append(f"open loop p95 {p95:.1f} ms <= {GOAL_OPEN_P95_MS} "
                          f"{verdict(p95 <= GOAL_OPEN_P95_MS)}")
        else:
            checks.append(f"open loop offered {run.open.offered:g}/s, not the goal's "
                          f"{GOAL_OPEN_RATE}/s (p95 {p95:.1f} ms)")
        survey = [size for page, accept, size, _enc in run.pages
                  if page.startswith("survey") and accept == "gzip"]
        checks.append(f"survey page {survey[0]} bytes <= {GOAL_PAGE_BYTES} "
                      f"{verdict(survey[0] <= GOAL_PAGE_BYTES)}")
        checks.append(f"median ratio to the bare pair {ratio:.2f}")
        lines.append(f"- {backend}: " + "; ".join(checks))
    return lines


def markdown(results: dict[str, BackendRun], args: argparse.Namespace) -> str:
    lines = [
        "# bench/submit: respondent submissions through gunicorn",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, `python -m bench.submit"
        f"{' --quick' if args.quick else ''}`: gunicorn (gunicorn.conf.py, {args.workers} "
        f"workers, {args.worker_class}, serving bench/bare_app.py) on loopback; closed loop "
        f"{args.clients} concurrent clients ({args.processes} processes), {args.rounds} rounds "
        f"of {args.seconds:g} s phases; open loop {args.rate:g} submissions/s offered for "
        f"{args.open_seconds:g} s (at most {args.open_clients} at once); "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs shared by server, clients "
        f"and database (load average {args.load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after the run).",
        "",
        "A submission = GET /isi (CSRF token, session cookie) + POST /isi/survei with the code",
        "and 50 answers (three culture instruments), checked for the receipt. Bare pair = GET a",
        "static page + POST inserting one row, no validation/CSRF, same server. Each round runs",
        "the bare pair, then submissions; its ratio compares the two.",
        "",
        "Closed loop:",
        "",
        "| database | round | bare pairs/s | submissions/s | p50 ms | p95 ms | errors | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    summary = {}
    for backend, run in results.items():
        ratios = [real.rate / bare.rate for bare, real in run.rounds]
        for i, ((bare, real), ratio) in enumerate(zip(run.rounds, ratios, strict=True),
                                                  start=1):
            lines.append(f"| {backend} | {i} | {bare.rate:.0f} | {real.rate:.0f} | "
                         f"{real.pct(50):.1f} | {real.pct(95):.1f} | {real.errors} | "
                         f"{ratio:.2f} |")
        real = pooled([r for _b, r in run.rounds], "submit")
        bare = pooled([b for b, _r in run.rounds], "bare")
        summary[backend] = (bare, real, float(np.median(ratios)))
    lines += ["", "| database | bare pairs/s | submissions/s | p95 ms (all rounds) | errors "
              "| median ratio | bare pair's p95 ms |", "|---|---:|---:|---:|---:|---:|---:|"]
    for backend, (bare, real, ratio) in summary.items():
        lines.append(f"| {backend} | {bare.rate:.0f} | {real.rate:.0f} | {real.pct(95):.1f} | "
                     f"{real.errors} | {ratio:.2f} | {bare.pct(95):.1f} |")
    lines += ["", "Open loop: each submission's start scheduled in advance at the offered rate, "
              "whatever the responses take; latency from the scheduled start to the receipt, "
              "each submission on a new connection. Latest start = how far behind its "
              "schedule the latest submission started (the client's own delay).", "",
              "| database | offered /s | achieved /s | completed | errors | p50 ms | p95 ms "
              "| p99 ms | latest start ms |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for backend, run in results.items():
        o = run.open
        lines.append(f"| {backend} | {o.offered:g} | {o.achieved:.1f} | "
                     f"{len(o.result.latencies)} | {o.result.errors} | {o.result.pct(50):.1f} | "
                     f"{o.result.pct(95):.1f} | {o.result.pct(99):.1f} | {o.lag * 1000:.1f} |")
    lines += ["", "Page sizes: the response body as the server sends it (bytes on the wire "
              "after any Content-Encoding, headers not counted):", "",
              "| database | page | Accept-Encoding sent | body bytes | Content-Encoding |",
              "|---|---|---|---:|---|"]
    for backend, run in results.items():
        for page, accept, size, encoding in run.pages:
            lines.append(f"| {backend} | {page} | {accept or '(none)'} | {size} | "
                         f"{encoding or '(none)'} |")
    lines += ["", "Commit alone: one-row INSERT + COMMIT, one after the other on one connection "
              "(the product's SQLite settings: rollback journal, synchronous=FULL). SQLite "
              "commits one writer at a time, so commits/s bounds its submissions/s; PostgreSQL "
              "can flush several backends' commits at once:", "",
              "| database | commits | p50 ms | p95 ms | commits/s |", "|---|---:|---:|---:|---:|"]
    for backend, run in results.items():
        c = run.commits
        lines.append(f"| {backend} | {len(c)} | {np.percentile(c, 50) * 1000:.2f} | "
                     f"{np.percentile(c, 95) * 1000:.2f} | {len(c) / sum(c):.0f} |")
    lines += goal_lines(results, summary)
    lines += cpu_table(summary)
    kinds = ["GET /isi", "POST /isi/survei", "GET bare", "POST bare"]
    n = 300 if args.seconds >= 2 else 30
    lines += ["", "In-process CPU per request (the WSGI app called directly, one thread, no HTTP "
              f"and no competing clients; {n} of each):", "",
              "| database | " + " | ".join(f"{k} ms" for k in kinds) + " | ratio of pair costs |",
              "|---|" + "---:|" * (len(kinds) + 1)]
    for backend, run in results.items():
        cost = run.cost
        ratio = (cost["GET bare"] + cost["POST bare"]) / (cost["GET /isi"]
                                                          + cost["POST /isi/survei"])
        lines.append(f"| {backend} | " + " | ".join(f"{cost[k]:.2f}" for k in kinds)
                     + f" | {ratio:.2f} |")
    lines += ["", NOTES]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="2 rounds of 3 s phases, open loop 15 s")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None, help="closed-loop phase length")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", help="gthread (as deployed) or sync")
    parser.add_argument("--rate", type=float, default=GOAL_OPEN_RATE,
                        help="open loop: submissions/s offered")
    parser.add_argument("--open-seconds", type=float, default=None,
                        help="open loop length (default 5 closed-loop phases)")
    parser.add_argument("--open-clients", type=int, default=64,
                        help="open loop: most submissions in flight at once")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "submit.md")
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (3.0 if args.quick else 5.0)
    args.rounds = args.rounds or (2 if args.quick else 6)
    args.open_seconds = args.open_seconds or 5 * args.seconds
    args.load_before = os.getloadavg()[0]
    results = {}
    for backend in args.backends.split(","):
        try:
            results[backend] = run_backend(backend, args)
        except (BenchFailed, OSError) as exc:
            print(f"bench/submit: {backend}: {exc}\nbench/submit: stopped, {args.out} not "
                  "written", file=sys.stderr)
            return 1
    text = markdown(results, args)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
