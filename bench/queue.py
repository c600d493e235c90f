"""A wave's report batch on the job queue (issues #15, #18): RQ over Redis with 1, 2 and 4
worker processes, and the zip complete after the job.

An organisation of ``--units`` units is loaded with random responses (`bench.scale.build`) into
a PostgreSQL database of its own on the server at ``--pg-url`` (created, and dropped at the
end), and its wave closed. For each worker count a report job is started as the web page starts
one (`services.jobs.start`), and that many `flask jobs worker` processes
(`services.jobs.command("worker")`, the app's settings on standard input) are started at
the same moment. The workers share the database, Redis (a queue name of this run) and the
report folder, nothing else. Timed: from the start to the job's state "done"; then the zip is
opened and checked to hold every report the job planned, each a PDF.

Scaling efficiency with w workers = t(1) / (w x t(w)). The machine has 2 cores, so 4 workers
cannot be faster than 2.

    .venv/bin/python -m bench.queue [--units 100] [--workers 1 2 4]
        [--pg-url postgresql://root@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import pickle
import secrets
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bench.scale import _app, build

ROOT = Path(__file__).resolve().parents[1]
REDIS = "redis://127.0.0.1:6379/0"
RESPONSES_PER_UNIT = 15


def _database(pg_url: str, name: str, create: bool) -> str:
    params = conninfo_to_dict(pg_url)
    with psycopg.connect(make_conninfo(**params), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    params["dbname"] = name
    user = params.get("user", "")
    return (f"postgresql://{user + '@' if user else ''}{params.get('host', '127.0.0.1')}:"
            f"{params.get('port', 5432)}/{name}")


def _workers(app: Any, count: int) -> list[subprocess.Popen[bytes]]:
    from survey_app.services import jobs

    with app.app_context():
        config = pickle.dumps({**jobs.settings(app),
                               "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]})
        line = jobs.command("worker", f"--name=bench-{secrets.token_hex(3)}")
    started = []
    for i in range(count):
        process = subprocess.Popen(  # noqa: S603 (this interpreter and fixed code)
            [*line[:-1], f"{line[-1]}-{i}"], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert process.stdin is not None
        process.stdin.write(config)
        process.stdin.close()
        started.append(process)
    return started


def run(app: Any, wave_id: int, count: int) -> dict[str, Any]:
    """Seconds from the start of a job to its end with `count` workers, and its zip."""
    from survey_app.extensions import db
    from survey_app.models import JobState, ReportJob, Wave
    from survey_app.services import jobs
    from survey_app.services.reports import report_dir

    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        shutil.rmtree(report_dir(wave, "id"), ignore_errors=True)
        start = time.perf_counter()
        job_id = jobs.start(wave, "id", actor="bench").id
        workers = _workers(app, count)
        try:
            while True:
                db.session.remove()
                job = db.session.get(ReportJob, job_id)
                if job.state in (JobState.DONE.value, JobState.FAILED.value):
                    break
                time.sleep(0.2)
            took = time.perf_counter() - start
        finally:
            for process in workers:
                process.terminate()
            for process in workers:
                process.wait(30)
        planned = [n for n in job.files.split("\n") if n]
        with zipfile.ZipFile(jobs.zip_path(db.session.get(Wave, wave_id), "id")) as archive:
            names = archive.namelist()
            pdfs = sum(archive.read(n)[:5] == b"%PDF-" for n in names)
            broken = archive.testzip()
        return {"seconds": took, "state": job.state, "planned": len(planned),
                "in_zip": len(names), "pdfs": pdfs, "complete": sorted(names) == sorted(planned)
                and broken is None, "failed": job.failed}


def main(argv: list[str] | None = None) -> int:
    """Build, run each worker count, print and write a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--pg-url", default=os.environ.get(
        "LENTERA_TEST_PG_URL", "postgresql://root@127.0.0.1:5432/test"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "queue.md")
    args = parser.parse_args(argv)
    name = f"lentera_bench_queue_{secrets.token_hex(3)}"
    url = _database(args.pg_url, name, create=True)
    results = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["LENTERA_REDIS_URL"] = REDIS
            os.environ["LENTERA_JOB_QUEUE"] = name
            app = _app(url, folder)
            wave_id = build(app, args.units, args.units * RESPONSES_PER_UNIT)
            from survey_app.extensions import db
            from survey_app.models import Wave
            from survey_app.services import close_wave

            with app.app_context():
                close_wave(db.session.get(Wave, wave_id), actor="bench")
                db.session.commit()
            for count in args.workers:
                result = run(app, wave_id, count)
                results.append((count, result))
                print(count, result, flush=True)
    finally:
        _database(args.pg_url, name, create=False)
    one = next((r["seconds"] for c, r in results if c == 1), None)
    lines = ["# A wave's reports on the job queue (`bench/queue.py`)", "",
             f"{args.units} units ({args.units * RESPONSES_PER_UNIT:,} responses, the three "
             "culture instruments), PostgreSQL and RQ over Redis; the machine has 2 cores. "
             f"Load average at the end: {os.getloadavg()[0]:.1f}.", "",
             "| workers | job, start to done | reports in the zip | complete zip | "
             "scaling efficiency |", "|---|---|---|---|---|"]
    for count, r in results:
        eff = f"{one / (count * r['seconds']):.2f}" if one else "–"
        lines.append(f"| {count} | {r['seconds']:.1f} s | {r['pdfs']} of {r['planned']} "
                     f"| {'yes' if r['complete'] else 'NO'} | {eff} |")
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.write_text(text, encoding="utf-8")
    return 0 if all(r["complete"] for _, r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
