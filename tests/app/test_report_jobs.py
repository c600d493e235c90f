"""Report jobs (services.jobs): every report of a closed wave and a complete zip, built by a
local process (no Redis) or by RQ workers sharing a queue; never a partial zip."""

from __future__ import annotations

import io
import pickle
import re
import secrets
import subprocess
import time
import zipfile

import pytest

from survey_app.extensions import db
from survey_app.models import JobState, ReportJob, Wave
from survey_app.services import jobs

from .conftest import csrf_token
from .test_reporting import _login, make_skm_wave, waves  # noqa: F401 (the fixture)

REDIS_URL = "redis://127.0.0.1:6379/0"
EXPECTED = ["unit-ROOT.pdf", "unit-A.pdf", "unit-B.pdf", "unit-C.pdf", "organisation.pdf"]


def _wait(app, job_id: int, seconds: float = 120.0) -> ReportJob:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        with app.app_context():
            job = db.session.get(ReportJob, job_id)
            assert job is not None
            if job.state not in jobs.ACTIVE or time.monotonic() > deadline:
                db.session.expunge(job)
                return job
        time.sleep(0.5)


def _start_from_the_web(client, wave_id: int) -> int:  # type: ignore[no-untyped-def]
    page = client.get(f"/hr/laporan/{wave_id}.zip")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "belum dibuat" in html and "Buat semua laporan" in html
    started = client.post(f"/hr/laporan/{wave_id}/bangun?lang=id",
                          data={"csrf_token": csrf_token(html)})
    assert started.status_code == 303
    return int(started.headers["Location"].rsplit("/", 1)[1])


def _zip_names(client, wave_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    got = client.get(f"/hr/laporan/{wave_id}.zip")
    assert got.status_code == 200 and got.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(got.data))
    assert all(archive.read(n).startswith(b"%PDF") for n in archive.namelist())
    return archive.namelist()


def test_a_local_job_builds_every_report_and_then_the_whole_zip(app, client, waves):  # noqa: F811
    wave_id = waves["waves"]["2026-Q4"]
    _login(client, "admin")
    job_id = _start_from_the_web(client, wave_id)
    running = client.get(f"/hr/laporan/job/{job_id}").get_data(as_text=True)
    assert "Buat semua laporan" not in running  # no second start while one runs
    job = _wait(app, job_id)
    assert job.state == JobState.DONE.value, job.error
    assert (job.total, job.done, job.failed) == (5, 5, 0)
    assert sorted(_zip_names(client, wave_id)) == sorted(EXPECTED)
    page = client.get(f"/hr/laporan/job/{job_id}").get_data(as_text=True)
    assert "Selesai: 5 laporan" in page and "http-equiv" not in page
    assert job.started_by == "admin"


def test_the_zip_is_never_served_while_a_job_runs(app, client, waves, tmp_path):  # noqa: F811
    wave_id = waves["waves"]["2026-Q4"]
    with app.app_context():
        job = jobs.queued(db.session.get(Wave, wave_id), "id", "test")[0]
        jobs.run_here(job.id, workers=1)
        assert db.session.get(ReportJob, job.id).state == JobState.DONE.value
        # a new job starts: the old, complete zip is not offered while it runs
        again = ReportJob(wave_id=wave_id, lang="id", state=JobState.RUNNING.value, total=5,
                          done=2, failed=0, error="", files="", started_by="test")
        db.session.add(again)
        db.session.commit()
        again_id = again.id
    _login(client, "admin")
    got = client.get(f"/hr/laporan/{wave_id}.zip")
    assert got.status_code == 303 and got.headers["Location"].endswith(f"/job/{again_id}")
    page = client.get(f"/hr/laporan/job/{again_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and 'value="2"' in page and 'max="5"' in page
    assert "2 dari 5 laporan" in page


def test_a_failed_report_fails_the_job_and_no_zip_is_written(app, client, waves,  # noqa: F811
                                                             monkeypatch):
    wave_id = waves["waves"]["2026-Q4"]
    from reports import documents

    real = documents.render_unit_report

    def broken(context, lang):  # type: ignore[no-untyped-def]
        if context.unit_name == "Kelurahan Dua":
            raise documents.ReportError("render broke")
        return real(context, lang)

    monkeypatch.setattr(documents, "render_unit_report", broken)
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        job = jobs.queued(wave, "id", "test")[0]
        jobs.run_here(job.id, workers=1)
        job = db.session.get(ReportJob, job.id)
        assert job.state == JobState.FAILED.value and job.failed == 1
        assert "unit-B.pdf: render broke" in job.error
        assert not jobs.zip_path(wave, "id").exists()
    _login(client, "admin")
    page = client.get(f"/hr/laporan/{wave_id}.zip")
    assert page.status_code == 404 and "render broke" in page.get_data(as_text=True)


def test_an_skm_wave_has_its_own_report_job_and_links(app, client, waves):  # noqa: F811
    skm_id = make_skm_wave(app, waves["units"]["B"])
    _login(client, "admin")
    page = client.get(f"/hr/gelombang/{skm_id}").get_data(as_text=True)
    assert "Laporan SKM" in page and "organisasi.pdf" not in page
    assert not re.search(r"/unit/\d+\.pdf", page)  # no culture unit report of an SKM wave
    with app.app_context():
        job = jobs.queued(db.session.get(Wave, skm_id), "id", "test")[0]
        jobs.run_here(job.id, workers=1)
    assert _zip_names(client, skm_id) == [f"skm-B-{skm_id}.pdf"]


def test_jobs_refuse_an_open_wave(app, waves):  # noqa: F811
    with app.app_context():
        with pytest.raises(jobs.ReportingError, match="not closed"):
            jobs.start(db.session.get(Wave, waves["waves"]["open"]), "id", "test")


def test_the_cli_runs_a_job_here_and_reports_its_state(app, waves):  # noqa: F811
    runner = app.test_cli_runner()
    result = runner.invoke(args=["report", "start", "--wave", "2026-Q3", "--here",
                                 "--workers", "1", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "done 5/5" in result.output and "laporan-2026-Q3-en.zip" in result.output
    job_id = int(result.output.split()[1].rstrip(":"))
    status = runner.invoke(args=["report", "status", str(job_id)])
    assert status.exit_code == 0 and "done 5/5" in status.output
    assert runner.invoke(args=["report", "status", "999"]).exit_code != 0
    # a job that will not finish (its worker is gone) is given up, and a new one can start
    with app.app_context():
        wave_id = db.session.get(ReportJob, job_id).wave_id
        stuck = ReportJob(wave_id=wave_id, lang="id", state=JobState.RUNNING.value, total=5,
                          done=1, failed=0, error="", files="", started_by="test")
        db.session.add(stuck)
        db.session.commit()
        stuck_id = stuck.id
        assert jobs.queued(stuck.wave, "id", "test") == (stuck, False)
    cancelled = runner.invoke(args=["report", "cancel", str(stuck_id)])
    assert cancelled.exit_code == 0 and "failed 1/5" in cancelled.output
    assert "cancelled" in cancelled.output
    with app.app_context():
        _, new = jobs.queued(db.session.get(ReportJob, stuck_id).wave, "id", "test")
        assert new
    worker = runner.invoke(args=["jobs", "worker", "--burst"])
    assert worker.exit_code != 0 and "LENTERA_REDIS_URL" in worker.output


def _worker(settings: dict, name: str, log) -> subprocess.Popen:  # type: ignore[no-untyped-def,type-arg]
    process = subprocess.Popen(jobs.command("worker", f"--name={name}"),
                               stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)
    assert process.stdin is not None
    process.stdin.write(pickle.dumps(settings))
    process.stdin.close()
    return process


def test_two_rq_workers_share_one_wave_over_redis(app, client, waves, tmp_path):  # noqa: F811
    """Real Redis, two worker processes (as on two machines sharing database and folder)."""
    redis = pytest.importorskip("redis")
    from rq import Queue
    from rq.job import Job

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    connection.ping()  # CI has Redis: fail, do not skip, when it is missing
    app.config["LENTERA_REDIS_URL"] = REDIS_URL
    app.config["LENTERA_JOB_QUEUE"] = f"lentera-test-{secrets.token_hex(4)}"
    logs = [open(tmp_path / f"worker{i}.log", "wb") for i in (1, 2)]  # noqa: SIM115
    workers = [_worker(jobs.settings(app), f"w{i}-{secrets.token_hex(3)}", log)
               for i, log in enumerate(logs, start=1)]
    try:
        wave_id = waves["waves"]["2026-Q4"]
        _login(client, "admin")
        job_id = _start_from_the_web(client, wave_id)
        job = _wait(app, job_id)
        assert job.state == JobState.DONE.value, (job.state, job.error, [
            (tmp_path / f"worker{i}.log").read_text(errors="replace")[-3000:] for i in (1, 2)])
        assert (job.total, job.done, job.failed) == (5, 5, 0)
        assert sorted(_zip_names(client, wave_id)) == sorted(EXPECTED)
        queue = Queue(app.config["LENTERA_JOB_QUEUE"], connection=connection)
        chunks = [Job.fetch(i, connection=connection)
                  for i in queue.finished_job_registry.get_job_ids()]
        names = {c.return_value() for c in chunks if c.func_name.endswith("render_chunk")}
        assert len([c for c in chunks if c.func_name.endswith("render_chunk")]) == 3
        assert len(names) == 2, names  # both workers rendered part of the wave
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
        for log in logs:
            log.close()
        Queue(app.config["LENTERA_JOB_QUEUE"], connection=connection).empty()
