"""Report jobs: every PDF of a closed wave and their zip, built by workers, never in a request.

One job is one wave in one language: each unit report and the organisation report (an SKM
wave: its SKM report), then one zip of exactly those files. The job's row
(`models.ReportJob`) holds its state and progress, so the web page and `flask report status`
read it the same way whichever worker runs it. A file appears only complete
(`reports.batch.write_atomic`); the zip is written last, so it is always whole, and while a
job runs the page says how far it is.

Two ways to run, the same three steps (`plan`, render, `finish`):

- ``LENTERA_REDIS_URL`` set: RQ over Redis. `plan` runs on a worker, analyses the wave,
  and puts the renders on the queue in chunks of at most `CHUNK` reports, then `finish`, which waits
  for them all. Any number of `flask jobs worker` processes — on this machine or on others
  that share the database, Redis and the report folder — take chunks from the queue.
- Without Redis (the single-machine SQLite default): a detached local process
  (`command`, given the app's settings on its standard input)
  runs `plan`, renders with `reports.batch.render_batch` in ``LENTERA_REPORT_WORKERS``
  processes, and runs `finish`.
"""

from __future__ import annotations

import io
import pickle
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from reports.batch import (
    DEFAULT_TIME_LIMIT,
    RenderJob,
    RenderOutcome,
    render_batch,
    run_job,
    write_atomic,
)

from ..extensions import db
from ..instrument_store import is_skm
from ..models import JobState, ReportJob, Wave, WaveState
from .publication import ReportingError, analyse_culture_wave, culture_keys
from .reports import culture_jobs, report_dir, safe_name, skm_render_jobs

#: Most reports in one queued render task; a wave is also split into at least
#: `MIN_TASKS` tasks, so that several workers share even a small one.
CHUNK = 10
MIN_TASKS = 4
#: Seconds a plan (analysis and contexts) or a finish (the zip) may take on a worker.
STEP_TIMEOUT = 3600
ACTIVE = (JobState.QUEUED.value, JobState.RUNNING.value)

#: The app of an RQ worker process (`work`); tasks run in its context.
_APP: Flask | None = None
#: Local job processes still running (kept so they are reaped when they end).
_LOCAL: list[subprocess.Popen[bytes]] = []


def zip_name(wave: Wave, lang: str) -> str:
    """The file name of a wave's zip of reports."""
    return f"laporan-{safe_name(wave.period)}-{lang}.zip"


def zip_path(wave: Wave, lang: str) -> Path:
    """Where the zip of a finished job lies (beside its PDFs)."""
    return report_dir(wave, lang) / zip_name(wave, lang)


def latest_job(wave_id: int, lang: str) -> ReportJob | None:
    """The most recent job of the wave in `lang`."""
    return db.session.scalars(sa.select(ReportJob).where(
        ReportJob.wave_id == wave_id, ReportJob.lang == lang)
        .order_by(ReportJob.id.desc()).limit(1)).first()


def queued(wave: Wave, lang: str, actor: str) -> tuple[ReportJob, bool]:
    """A new queued job for `wave`'s reports in `lang` (True), or the job already under way
    (False); committed, since a worker in another process sees a job only once it is."""
    if wave.state != WaveState.CLOSED:
        raise ReportingError(
            f"Gelombang {wave.name} belum ditutup; laporan hanya dibuat setelah ditutup. / "
            f"Wave {wave.name} is not closed; reports exist only after a wave closes.")
    running = latest_job(wave.id, lang)
    if running is not None and running.state in ACTIVE:
        return running, False
    job = ReportJob(wave_id=wave.id, lang=lang, state=JobState.QUEUED.value, total=0, done=0,
                    failed=0, error="", files="", started_by=actor)
    db.session.add(job)
    db.session.commit()
    return job, True


def start(wave: Wave, lang: str, actor: str) -> ReportJob:
    """Queue the building of `wave`'s reports in `lang` on a worker, or return the job
    already under way."""
    job, new = queued(wave, lang, actor)
    if new:
        _dispatch(job.id)
    return job


def cancel(job: ReportJob) -> None:
    """Give up a job that will not finish (e.g. its worker's machine stopped); a new job of
    the wave can then start. A task of it that still runs stops at its next step."""
    if job.state in ACTIVE:
        job.state = JobState.FAILED.value
        job.error += "dibatalkan / cancelled\n"


def _dispatch(job_id: int) -> None:
    url = current_app.config.get("LENTERA_REDIS_URL")
    if url:
        queue(url).enqueue(plan, job_id, job_timeout=STEP_TIMEOUT, on_failure=_on_failure())
        return
    process = subprocess.Popen(  # noqa: S603 (this interpreter, fixed code and a number)
        command("run", str(job_id)),
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)  # outlives the web worker that started it
    assert process.stdin is not None
    process.stdin.write(pickle.dumps(settings(current_app)))
    process.stdin.close()
    _LOCAL[:] = [p for p in _LOCAL if p.poll() is None] + [process]


def command(*args: str) -> list[str]:
    """The command line of a local job or worker process (`_local_main`).

    Run through ``-c`` and not ``-m``, so that the tasks and the worker's app live in the
    imported module that RQ imports them from, not in a ``__main__`` copy.
    """
    code = ("import sys; from survey_app.services.jobs import _local_main; "
            "sys.exit(_local_main(sys.argv[1:]))")
    return [sys.executable, "-c", code, *args]


def settings(app: Flask) -> dict[str, Any]:
    """What `create_app` needs to rebuild `app` in a worker process."""
    out = {key: value for key, value in app.config.items() if key.isupper()}
    out["LENTERA_INSTANCE_PATH"] = app.instance_path
    out.pop("DATABASE_URL", None)
    return out


def queue(url: str) -> Any:
    """The RQ queue of the report jobs (LENTERA_JOB_QUEUE) on the Redis at `url`."""
    from redis import Redis
    from rq import Queue

    return Queue(current_app.config["LENTERA_JOB_QUEUE"], connection=Redis.from_url(url))


@contextmanager
def _context() -> Iterator[None]:
    """The app context of a task: the caller's, or on a worker its app's, with fresh database
    connections (a forked RQ work horse must not share its parent's)."""
    if _APP is None:
        yield
        return
    with _APP.app_context():
        db.engine.dispose(close=False)
        try:
            yield
        finally:
            db.session.remove()


def _render_jobs(wave: Wave, lang: str) -> list[RenderJob]:
    """Every report of the wave: its culture reports, or the report of an SKM wave."""
    if culture_keys(wave):
        return culture_jobs(analyse_culture_wave(wave), lang)
    if is_skm(wave):
        return skm_render_jobs(wave, lang)
    raise ReportingError(f"Gelombang {wave.name} tidak punya instrumen / "
                         f"Wave {wave.name} has no instrument")


def _planned(job_id: int) -> tuple[ReportJob, list[RenderJob]] | None:
    """Mark the job running and build its render jobs (None: nothing left to do)."""
    job = db.session.get(ReportJob, job_id)
    if job is None or job.state != JobState.QUEUED.value:
        return None
    job.state = JobState.RUNNING.value
    try:
        renders = _render_jobs(job.wave, job.lang)
    except ReportingError as exc:
        job.state, job.error = JobState.FAILED.value, str(exc)
        db.session.commit()
        return None
    job.total = len(renders)
    job.files = "\n".join(r.filename for r in renders)
    report_dir(job.wave, job.lang).mkdir(parents=True, exist_ok=True)
    db.session.commit()
    return job, renders


def plan(job_id: int) -> None:
    """RQ task: analyse the wave, queue its renders in chunks, then the finish."""
    from rq.job import Dependency

    with _context():
        planned = _planned(job_id)
        if planned is None:
            return
        _, renders = planned
        q = queue(current_app.config["LENTERA_REDIS_URL"])
        size = max(1, min(CHUNK, -(-len(renders) // MIN_TASKS)))
        chunks = [q.enqueue(render_chunk, job_id, renders[i:i + size], job_timeout=-1,
                            on_failure=_on_failure())
                  for i in range(0, len(renders), size)]
        q.enqueue(finish, job_id, job_timeout=STEP_TIMEOUT, on_failure=_on_failure(),
                  depends_on=Dependency(jobs=chunks, allow_failure=True))


def render_chunk(job_id: int, renders: Sequence[RenderJob]) -> str:
    """RQ task: render some of a job's reports into its folder and count them; returns the
    worker's name.

    No RQ time limit (job_timeout -1): each render has its own (`reports.batch.run_job`),
    and both would use SIGALRM.
    """
    from rq import get_current_job

    with _context():
        job = db.session.get(ReportJob, job_id)
        if job is not None and job.state == JobState.RUNNING.value:
            folder = str(report_dir(job.wave, job.lang))
            db.session.commit()
            for render in renders:
                count(job_id, run_job(render, folder, DEFAULT_TIME_LIMIT))
    this = get_current_job()
    return str(this.worker_name) if this is not None else ""


def count(job_id: int, outcome: RenderOutcome) -> None:
    """Count one finished report (atomically: several workers count the same job)."""
    failed = 1 if outcome.error else 0
    line = f"{outcome.filename}: {outcome.error}\n" if outcome.error else ""
    db.session.execute(sa.update(ReportJob).where(ReportJob.id == job_id).values(
        done=ReportJob.done + 1, failed=ReportJob.failed + failed,
        error=ReportJob.error + line))
    db.session.commit()


def finish(job_id: int) -> None:
    """Write the zip of every report of the job, or say which reports are missing."""
    with _context():
        job = db.session.get(ReportJob, job_id)
        if job is None or job.state != JobState.RUNNING.value:
            return
        folder = report_dir(job.wave, job.lang)
        names = [n for n in job.files.split("\n") if n]
        missing = [n for n in names if not (folder / n).is_file()]
        if job.failed or missing or job.done < job.total:
            job.state = JobState.FAILED.value
            job.error += "".join(f"{n}: tidak dibuat / not built\n" for n in missing
                                 if n not in job.error)
        else:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for name in names:
                    archive.write(folder / name, arcname=name)
            write_atomic(zip_path(job.wave, job.lang), buffer.getvalue())
            job.state = JobState.DONE.value
        db.session.commit()


def run_here(job_id: int, workers: int) -> None:
    """Run a queued job in this process: plan, render with `workers` processes, finish."""
    planned = _planned(job_id)
    if planned is None:
        return
    job, renders = planned
    folder = report_dir(job.wave, job.lang)
    outcomes: dict[str, RenderOutcome] = {}

    def progress(name: str) -> None:
        db.session.execute(sa.update(ReportJob).where(ReportJob.id == job_id)
                           .values(done=ReportJob.done + 1))
        db.session.commit()

    for outcome in render_batch(renders, folder, workers=workers, progress=progress):
        outcomes[outcome.filename] = outcome
    errors = [o for o in outcomes.values() if o.error]
    if errors:
        db.session.execute(sa.update(ReportJob).where(ReportJob.id == job_id).values(
            failed=len(errors), error="".join(f"{o.filename}: {o.error}\n" for o in errors)))
        db.session.commit()
    db.session.expire_all()
    finish(job_id)


def _on_failure() -> Any:
    from rq import Callback

    return Callback(_task_failed)


def _task_failed(task: Any, connection: Any, kind: type, value: BaseException,
                 traceback: Any) -> None:
    """RQ failure callback of every task: the report job fails, saying why."""
    with _context():
        _fail(int(task.args[0]), value)


def _fail(job_id: int, exc: BaseException) -> None:
    """Record a job that crashed (the message names no respondent: reports hold none)."""
    db.session.rollback()
    db.session.execute(sa.update(ReportJob).where(
        ReportJob.id == job_id, ReportJob.state.in_(ACTIVE)).values(
        state=JobState.FAILED.value, error=ReportJob.error + f"{type(exc).__name__}: {exc}\n"))
    db.session.commit()


def work(app: Flask, burst: bool = False, name: str | None = None) -> None:
    """Run an RQ worker on the report queue with `app` as the tasks' app."""
    from redis import Redis
    from rq import Queue, Worker

    url = app.config.get("LENTERA_REDIS_URL")
    if not url:
        raise ReportingError("LENTERA_REDIS_URL belum diatur; tanpa Redis laporan dibuat oleh "
                             "proses lokal / LENTERA_REDIS_URL is not set; without Redis "
                             "reports are built by a local process")
    global _APP
    _APP = app
    connection = Redis.from_url(url)
    Worker([Queue(app.config["LENTERA_JOB_QUEUE"], connection=connection)],
           connection=connection, name=name).work(burst=burst)


def _local_main(argv: Sequence[str]) -> int:
    """``run ID`` | ``worker [--burst] [--name=N]`` (`command`), with the app's settings
    (`settings`) pickled on standard input."""
    from .. import create_app

    config = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 (the parent's pipe)
    app = create_app(config)
    if argv[:1] == ["worker"]:
        name = next((a.split("=", 1)[1] for a in argv if a.startswith("--name=")), None)
        work(app, burst="--burst" in argv, name=name)
        return 0
    job_id = int(argv[1])
    with app.app_context():
        try:
            run_here(job_id, int(app.config.get("LENTERA_REPORT_WORKERS", 2)))
        except BaseException as exc:
            _fail(job_id, exc)
            raise
    return 0

