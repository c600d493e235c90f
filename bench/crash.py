"""Crash drill: submissions under load while gunicorn's processes are killed with SIGKILL.

gunicorn (2 workers, gunicorn.conf.py) on loopback; client threads submit continuously
(GET the form + POST code and all 50 culture answers). Each round, at random moments, one
worker is SIGKILLed (the master starts a new one) and then the master and all workers are
SIGKILLed together (the whole server dies mid-request) and the server is restarted. A client
whose request fails retries the same code until it gets a receipt (200) or "code already
used" (409, i.e. the lost reply had been stored).

Every submission carries a fingerprint: its code's index written in base 5 into the first
8 answers, so the database can be checked without any link between code and response:
- every acknowledged submission (receipt received) is in the database exactly once;
- every "already used" answer after a lost reply is in the database exactly once;
- no fingerprint (code) appears twice; responses == used codes; every response has all 50
  answers; SQLite `PRAGMA integrity_check` / `foreign_key_check`, or the same consistency
  queries on PostgreSQL, pass.

    .venv/bin/python -m bench.crash               # 20 rounds per database, writes bench/crash.md
    .venv/bin/python -m bench.crash --quick       # 3 rounds (what the slow test runs)
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import http.client
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.submit import CODE_KEY, CULTURE, TOKEN, database, free_port, prepare  # noqa: E402

BASE, DIGITS = 5, 8  # fingerprint: index in base 5 over the first 8 items (all scales A >= 5)


@dataclass
class Tally:
    """What the clients saw, shared by the client threads (under `lock`)."""

    acked: set[int] = field(default_factory=set)  # receipt received
    told_used: set[int] = field(default_factory=set)  # 409 after an earlier lost reply
    attempts: int = 0
    failures: int = 0  # connection refused/reset, timeouts, 5xx during kills
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


# --- answers with a fingerprint ------------------------------------------------------------

def item_codes() -> list[str]:
    """All culture item codes in form order."""
    from instruments import load_instrument

    return [item.code for ident in CULTURE for scale in load_instrument(ident).scales
            for item in scale.items]


def fingerprint_answers(index: int, items: list[str]) -> dict[str, str]:
    """Answers whose first DIGITS items spell `index` in base BASE (values 1..BASE)."""
    answers = {code: "3" for code in items}
    for pos in range(DIGITS):
        answers[items[pos]] = str(index // BASE**pos % BASE + 1)
    return {**answers, "cut": "fungsional"}


def decode(values: dict[str, int], items: list[str]) -> int:
    """The index spelled by one stored response's first DIGITS answers."""
    return sum((values[items[pos]] - 1) * BASE**pos for pos in range(DIGITS))


# --- server --------------------------------------------------------------------------------

class Server:
    """gunicorn in its own process group, so master and workers can be killed together."""

    def __init__(self, url: str, port: int, workdir: Path) -> None:
        self.url, self.port, self.workdir = url, port, workdir
        self.proc: subprocess.Popen | None = None
        # The deployed log configuration, audited after the drill like `flask audit --log`.
        self.access_log, self.error_log = workdir / "access.log", workdir / "error.log"

    def start(self) -> None:
        env = {**os.environ, "DATABASE_URL": self.url, "LENTERA_CODE_KEY": CODE_KEY,
               "LENTERA_SECRET_KEY": "crash", "LENTERA_ACCESS_LOG": str(self.access_log),
               # All drill clients share one address, and every "already used" answer after
               # a lost reply counts as a refused code: lift that limit for the drill.
               "LENTERA_CODE_FAILURES": str(10**9)}
        with self.error_log.open("ab") as errors:  # gunicorn's error log goes to stderr
            self.proc = subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                 "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--log-level", "info",
                 "survey_app:create_app()"],
                cwd=ROOT, env=env, start_new_session=True,
                stdout=subprocess.DEVNULL, stderr=errors)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited during start-up")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn.request("GET", "/isi")
                resp = conn.getresponse()
                resp.read()
                if resp.status == 200:
                    conn.close()
                    return
            conn.close()
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not start within 60 s")

    def workers(self) -> list[int]:
        """Pids of the master's children (the workers)."""
        assert self.proc is not None
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True,
                             text=True, check=False).stdout
        return [int(p) for p in out.split()]

    def kill_worker(self, rng: random.Random) -> bool:
        """SIGKILL one worker at random; the master forks a replacement."""
        pids = self.workers()
        if not pids:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(rng.choice(pids), signal.SIGKILL)
        return True

    def kill_all(self) -> None:
        """SIGKILL master and workers at once (the process group) and reap the master."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        # Orphaned workers die with the group; wait until nobody holds the port's requests.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run(["pgrep", "-g", str(self.proc.pid)], capture_output=True,
                              check=False).returncode != 0:
                break
            time.sleep(0.05)
        self.proc = None


# --- clients -------------------------------------------------------------------------------

def submit_once(port: int, code: str, body_tail: str) -> int:
    """One submission as a new respondent; the HTTP status of the POST (or raises)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", "/isi")
        resp = conn.getresponse()
        page = resp.read()
        match = TOKEN.search(page)
        cookie = (resp.getheader("Set-Cookie") or "").split(";", 1)[0]
        if resp.status != 200 or not match:
            return -resp.status
        body = urllib.parse.urlencode({"csrf_token": match.group(1).decode(), "code": code}) \
            + "&" + body_tail
        conn.request("POST", "/isi/survei", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        resp = conn.getresponse()
        html = resp.read()
        if resp.status == 200 and b"Terima kasih" not in html:
            return -200
        if resp.status == 409 and b"sudah dipakai" not in html:
            return -409
        return resp.status
    finally:
        conn.close()


def client(port: int, jobs: list[tuple[int, str, str]], tally: Tally, stop: threading.Event,
           rng: random.Random) -> None:
    """Work through (index, code, body) jobs; retry each until a receipt or 'already used'."""
    for index, code, body in jobs:
        lost_reply = False
        while not stop.is_set():
            with tally.lock:
                tally.attempts += 1
            try:
                status = submit_once(port, code, body)
            except (OSError, http.client.HTTPException):
                status = 0
            if status == 200:
                with tally.lock:
                    tally.acked.add(index)
                break
            if status == 409 and lost_reply:
                with tally.lock:
                    tally.told_used.add(index)
                break
            if status in (0, 500, 502, 503, -200):
                with tally.lock:
                    tally.failures += 1
                lost_reply = True  # the POST may have been stored before the reply was lost
                time.sleep(rng.uniform(0.02, 0.15))
                continue
            with tally.lock:
                tally.unexpected.append(f"code #{index}: status {status}")
            break
        if stop.is_set():
            return


# --- checks --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """Database state after the drill."""

    responses: int
    used_codes: int
    fingerprints: collections.Counter
    partial: int
    integrity: str


def inspect_database(url: str, items: list[str]) -> Check:
    """Read responses, answers and codes directly (SQLAlchemy Core, no app)."""
    import sqlalchemy as sa

    from survey_app.config import database_uri

    engine = sa.create_engine(database_uri(url))
    first = items[:DIGITS]
    try:
        with engine.connect() as conn:
            responses = conn.execute(sa.text("SELECT count(*) FROM response")).scalar_one()
            used = conn.execute(sa.text("SELECT count(*) FROM code WHERE used")).scalar_one()
            partial = conn.execute(sa.text(
                "SELECT count(*) FROM response r WHERE (SELECT count(*) FROM answer a "
                "WHERE a.response_id = r.id) <> :n"), {"n": len(items)}).scalar_one()
            rows = conn.execute(sa.text("SELECT response_id, item_code, value FROM answer "
                                        "WHERE item_code IN :codes")
                                .bindparams(sa.bindparam("codes", expanding=True)),
                                {"codes": first}).all()
            integrity = _integrity(conn, engine.dialect.name)
    finally:
        engine.dispose()
    per_response: dict[object, dict[str, int]] = collections.defaultdict(dict)
    for response_id, item, value in rows:
        per_response[response_id][item] = int(value)
    prints = collections.Counter(decode(v, items) for v in per_response.values()
                                 if len(v) == DIGITS)
    return Check(responses, used, prints, partial, integrity)


def _integrity(conn, dialect: str) -> str:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    if dialect == "sqlite":
        result = "; ".join(conn.execute(sa.text("PRAGMA integrity_check")).scalars())
        fk = conn.execute(sa.text("PRAGMA foreign_key_check")).all()
        return result if not fk else f"{result}; {len(fk)} foreign key violations"
    orphans = conn.execute(sa.text(
        "SELECT count(*) FROM answer a LEFT JOIN response r ON r.id = a.response_id "
        "WHERE r.id IS NULL")).scalar_one()
    bad = conn.execute(sa.text(
        "SELECT count(*) FROM answer WHERE value < 1 OR value > points")).scalar_one()
    # amcheck-free heap check: every table can be read completely.
    for table in ("response", "answer", "code", "wave", "unit"):
        conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
    return "ok" if orphans == 0 and bad == 0 else f"{orphans} orphan answers, {bad} out of range"


# --- drill ---------------------------------------------------------------------------------

@dataclass
class DrillResult:
    """Counts of one database's drill."""

    backend: str
    rounds: int
    worker_kills: int
    server_kills: int
    tally: Tally
    check: Check
    seconds: float
    logs: tuple[int, int] = (0, 0)

    @property
    def problems(self) -> list[str]:
        """Every broken promise (empty when the drill passed)."""
        t, c = self.tally, self.check
        out = []
        lost = sorted(i for i in t.acked | t.told_used if c.fingerprints[i] != 1)
        if lost:
            out.append(f"{len(lost)} acknowledged/used submissions not stored exactly once")
        twice = [i for i, n in c.fingerprints.items() if n > 1]
        if twice:
            out.append(f"{len(twice)} codes stored more than once")
        if c.responses != c.used_codes:
            out.append(f"{c.responses} responses but {c.used_codes} used codes")
        if c.partial:
            out.append(f"{c.partial} responses without all answers")
        if c.integrity != "ok":
            out.append(f"integrity: {c.integrity}")
        if self.logs[1]:
            out.append(f"{self.logs[1]} log lines with a code or a respond-route IP")
        out += t.unexpected[:5]
        return out


def run_drill(backend: str, rounds: int, clients: int, seed: int) -> DrillResult:
    """Prepare a database, run `rounds` kill rounds under load, check the database."""
    rng = random.Random(seed)
    items = item_codes()
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as url:
        workdir = Path(tmp)
        n_codes = 400 * rounds + 2000
        codes, _ = prepare(url, workdir, n_codes)
        jobs = [(i, code, urllib.parse.urlencode({"answers": "1",
                                                  **fingerprint_answers(i, items)}))
                for i, code in enumerate(codes)]
        server = Server(url, free_port(), workdir)
        server.start()
        tally, stop = Tally(), threading.Event()
        threads = [threading.Thread(target=client, daemon=True,
                                    args=(server.port, jobs[k::clients], tally, stop,
                                          random.Random(seed * 1000 + k)))
                   for k in range(clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        worker_kills = server_kills = 0
        for _ in range(rounds):
            time.sleep(rng.uniform(0.2, 1.0))
            worker_kills += server.kill_worker(rng)
            time.sleep(rng.uniform(0.2, 1.0))
            server.kill_all()
            server_kills += 1
            server.start()
        time.sleep(1.0)  # let the clients finish their retries against the last server
        stop.set()
        for t in threads:
            t.join(60)
        seconds = time.monotonic() - started
        server.kill_all()
        check = inspect_database(url, items)
        logs = log_audit(server)
    return DrillResult(backend, rounds, worker_kills, server_kills, tally, check, seconds, logs)


def log_audit(server: Server) -> tuple[int, int]:
    """(log lines written, anonymity breaches found in them by `flask audit`'s log check)."""
    from survey_app.ops.audit import audit_logs

    paths = [p for p in (server.access_log, server.error_log) if p.exists()]
    lines = sum(len(p.read_text(errors="replace").splitlines()) for p in paths)
    return lines, len(audit_logs(paths))


def markdown(results: list[DrillResult], args: argparse.Namespace) -> str:
    """The report for bench/crash.md."""
    lines = [
        "# Crash drill (`bench/crash.py`)", "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, shared), `{' '.join(sys.argv[1:]) or '(defaults)'}`: "
        f"gunicorn 2 gthread workers, {args.clients} client threads, seed {args.seed}.",
        "Each round: one worker SIGKILLed at a random moment (the master forks a new one), "
        "then master + workers SIGKILLed together and the server restarted.", "",
        "| database | rounds | worker kills | server kills | attempts | failed requests "
        "(retried) | acknowledged | told \"already used\" after a lost reply | responses in "
        "database | stored, never acknowledged | stored twice | acknowledged but missing | "
        "responses = used codes | partial responses | integrity | log lines / breaches | "
        "seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        t, c = r.tally, r.check
        confirmed = t.acked | t.told_used
        missing = sum(1 for i in confirmed if c.fingerprints[i] == 0)
        twice = sum(1 for n in c.fingerprints.values() if n > 1)
        never = sum(1 for i in c.fingerprints if i not in t.acked)
        lines.append(
            f"| {r.backend} | {r.rounds} | {r.worker_kills} | {r.server_kills} | {t.attempts} "
            f"| {t.failures} | {len(t.acked)} | {len(t.told_used)} | {c.responses} | {never} "
            f"| {twice} | {missing} | {'yes' if c.responses == c.used_codes else 'NO'} "
            f"| {c.partial} | {c.integrity} | {r.logs[0]} / {r.logs[1]} | {r.seconds:.0f} |")
    lines += ["", "Result: " + ("PASS — every acknowledged submission stored exactly once, no "
                                "code used twice, integrity checks pass."
                                if not any(r.problems for r in results)
                                else "FAIL — " + "; ".join(p for r in results
                                                           for p in r.problems)), ""]
    lines += ["\"Stored, never acknowledged\" are submissions whose reply was lost in a kill; "
              "their clients retried and were told the code was already used (the respondent "
              "sees that the first answer was kept). Fingerprints are decoded from the answers "
              "(the code index in base 5 over the first 8 items), so no link between code and "
              "response is needed for the check. The gunicorn access and error logs of the "
              "drill (the deployed `gunicorn.conf.py` logging) are checked with `flask audit`'s "
              "log rules: no code-shaped token, no respond route with an IP address.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the drill on each database; print and write the report; exit 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--out", type=Path, default=None,
                        help="report file (default bench/crash.md for a full run, none quick)")
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 20)
    results = [run_drill(b, rounds, args.clients, args.seed)
               for b in args.backends.split(",") if b]
    report = markdown(results, args)
    print(report)
    out = args.out or (None if args.quick else ROOT / "bench" / "crash.md")
    if out is not None:
        out.write_text(report, encoding="utf-8")
    return 1 if any(r.problems for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
