"""Render many reports in worker processes: time limit, recycled workers, atomic files.

Contexts are built in the parent (cheap, needs the analysis results); workers only draw
charts and run WeasyPrint, then write their own file. A file appears under its final name
only when complete: it is written to a hidden temporary file in the same folder, fsynced,
and renamed with `os.replace` (atomic on POSIX). An interrupted or timed-out render leaves
no partial PDF behind.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from reports.context import OrgReportContext, SkmReportContext, UnitReportContext
from reports.errors import ReportError

DEFAULT_TIME_LIMIT = 120  # seconds per render; a stuck render must not hold the batch
DEFAULT_TASKS_PER_CHILD = 50  # recycle workers so a slow leak cannot grow without bound


class RenderTimeoutError(ReportError):
    """A single render took longer than its time limit."""


@dataclass(frozen=True)
class RenderJob:
    """One PDF to produce: which report, from which context, in which language, where."""

    filename: str  # relative to the output folder, e.g. "unit-12-kelurahan-plaju-ulu.pdf"
    context: UnitReportContext | OrgReportContext | SkmReportContext
    lang: str = "id"


@dataclass(frozen=True)
class RenderOutcome:
    """What happened to one job (``error`` is empty on success)."""

    filename: str
    seconds: float
    max_rss_mb: float
    error: str = ""
    cpu_seconds: float = 0.0  # CPU time of this render in its worker (load-independent)


def render_job(job: RenderJob) -> bytes:
    """The PDF bytes of one job (dispatch on the context type)."""
    from reports.documents import render_org_report, render_skm_report, render_unit_report

    if isinstance(job.context, UnitReportContext):
        return render_unit_report(job.context, job.lang)
    if isinstance(job.context, OrgReportContext):
        return render_org_report(job.context, job.lang)
    if isinstance(job.context, SkmReportContext):
        return render_skm_report(job.context, job.lang)
    raise ReportError(f"unknown report context {type(job.context).__name__}")


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that `path` is either absent, the old file, or complete."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (POSIX needs the directory entry flushed too)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _alarm(signum: int, frame: Any) -> None:
    raise RenderTimeoutError("time limit reached")


def run_job(job: RenderJob, out_dir: str, time_limit: int) -> RenderOutcome:
    """Worker entry point: render with a time limit (SIGALRM) and write atomically."""
    start, cpu = time.perf_counter(), time.process_time()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(max(1, int(time_limit)))
    error = ""
    try:
        write_atomic(Path(out_dir) / job.filename, render_job(job))
    except RenderTimeoutError:
        error = f"waktu habis setelah {time_limit} detik / timed out after {time_limit} s"
    except ReportError as exc:
        error = str(exc)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return RenderOutcome(job.filename, time.perf_counter() - start, rss_mb, error,
                         time.process_time() - cpu)


def _worker_init() -> None:
    """Workers ignore Ctrl-C; the parent decides (and cancels what has not started)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class ProgressBar:
    """A one-line text progress bar on a stream (stderr by default)."""

    def __init__(self, total: int, stream: IO[str] | None = None, width: int = 30) -> None:
        self.total, self.done, self.width = total, 0, width
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.perf_counter()

    def advance(self, label: str = "") -> None:
        """Count one finished item and redraw the line."""
        self.done += 1
        filled = self.width * self.done // max(self.total, 1)
        elapsed = time.perf_counter() - self.start
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] "
                          f"{self.done}/{self.total} {elapsed:6.1f} s {label[:40]:<40}")
        if self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()


def render_batch(jobs: Sequence[RenderJob], out_dir: str | Path, workers: int = 2,
                 time_limit: int = DEFAULT_TIME_LIMIT,
                 tasks_per_child: int = DEFAULT_TASKS_PER_CHILD,
                 progress: Callable[[str], None] | None = None) -> list[RenderOutcome]:
    """Render `jobs` into `out_dir` with `workers` processes; return one outcome per job."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _check_names(jobs)
    if workers <= 1:
        done = []
        for job in jobs:
            done.append(run_job(job, str(out), time_limit))
            if progress:
                progress(job.filename)
        return done
    # Workers are recycled by running the jobs in rounds, each in a fresh pool, rather than with
    # ProcessPoolExecutor(max_tasks_per_child=...), which can hang on Python 3.11 once workers
    # start to retire. spawn: a clean interpreter per worker (no forked locks or fonts cache).
    context = multiprocessing.get_context("spawn")
    size = workers * max(1, tasks_per_child)
    outcomes: list[RenderOutcome] = []
    for start in range(0, len(jobs), size):
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                    initializer=_worker_init) as pool:
            futures = {pool.submit(run_job, job, str(out), time_limit): job
                       for job in jobs[start:start + size]}
            try:
                outcomes += _collect(futures, progress)
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    return outcomes


def _collect(futures: dict[cf.Future[RenderOutcome], RenderJob],
             progress: Callable[[str], None] | None) -> list[RenderOutcome]:
    """Gather outcomes as they finish, in the order of the jobs."""
    done: dict[str, RenderOutcome] = {}
    for future in cf.as_completed(futures):
        job = futures[future]
        try:
            done[job.filename] = future.result()
        except Exception as exc:  # a crashed worker must not lose the other reports
            done[job.filename] = RenderOutcome(job.filename, 0.0, 0.0, repr(exc))
        if progress:
            progress(job.filename)
    return [done[job.filename] for job in futures.values()]


def _check_names(jobs: Iterable[RenderJob]) -> None:
    """Every job writes its own plain file name inside the output folder."""
    seen: set[str] = set()
    for job in jobs:
        name = job.filename
        if name in seen or Path(name).name != name or name.startswith("."):
            raise ReportError(f"nama berkas tidak sah atau ganda: {name!r} / "
                              f"invalid or duplicate file name: {name!r}")
        seen.add(name)
