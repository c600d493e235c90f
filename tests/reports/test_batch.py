import io
import os
import time

import pytest

from reports import batch
from reports.batch import ProgressBar, RenderJob, render_batch, run_job, write_atomic
from reports.errors import ReportError
from tests.reports.factories import org_context, skm_context, unit_context
from tests.reports.pdftext import pdf_text


def test_write_atomic_replaces_whole_file(tmp_path):
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")
    write_atomic(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert os.listdir(tmp_path) == ["a.pdf"]


def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch):
    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "b.pdf", b"%PDF half")
    assert os.listdir(tmp_path) == []


def test_interrupted_rewrite_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "c.pdf"
    target.write_bytes(b"complete old report")
    monkeypatch.setattr(batch.os, "replace", lambda a, b: (_ for _ in ()).throw(OSError("disk")))
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"complete old report"
    assert os.listdir(tmp_path) == ["c.pdf"]


def test_a_render_over_its_time_limit_is_stopped_and_writes_nothing(tmp_path, monkeypatch):
    def slow(job):
        time.sleep(5)
        return b"%PDF"

    monkeypatch.setattr(batch, "render_job", slow)
    start = time.perf_counter()
    outcome = run_job(RenderJob("slow.pdf", unit_context()), str(tmp_path), time_limit=1)
    assert time.perf_counter() - start < 3
    assert "timed out" in outcome.error
    assert os.listdir(tmp_path) == []


def test_bad_file_names_are_refused(tmp_path):
    for name in ("../x.pdf", ".hidden.pdf", "a/b.pdf"):
        with pytest.raises(ReportError):
            render_batch([RenderJob(name, unit_context())], tmp_path, workers=1)
    with pytest.raises(ReportError, match="duplicate"):
        render_batch([RenderJob("a.pdf", unit_context())] * 2, tmp_path, workers=1)


def test_progress_bar_counts_to_total():
    stream = io.StringIO()
    bar = ProgressBar(2, stream)
    bar.advance("one")
    bar.advance("two")
    assert "2/2" in stream.getvalue() and stream.getvalue().endswith("\n")
    assert "[" + "#" * 30 + "]" in stream.getvalue()


@pytest.mark.slow
def test_batch_with_two_workers_writes_every_report(tmp_path):
    jobs = [RenderJob("unit-1.pdf", unit_context("Kelurahan Satu")),
            RenderJob("unit-2.pdf", unit_context("Kelurahan Dua", shown=False), "en"),
            RenderJob("org.pdf", org_context()), RenderJob("skm.pdf", skm_context()),
            RenderJob("unit-3.pdf", unit_context("Kelurahan Tiga", shown=False))]
    seen = []
    # one task per worker: three rounds of fresh workers (the recycling path)
    outcomes = render_batch(jobs, tmp_path, workers=2, tasks_per_child=1, progress=seen.append)
    assert [o.filename for o in outcomes] == [j.filename for j in jobs]
    assert [o.error for o in outcomes] == [""] * 5
    assert sorted(seen) == sorted(j.filename for j in jobs)
    assert sorted(os.listdir(tmp_path)) == ["org.pdf", "skm.pdf", "unit-1.pdf", "unit-2.pdf",
                                            "unit-3.pdf"]
    assert "Kelurahan Satu" in pdf_text((tmp_path / "unit-1.pdf").read_bytes())
    assert "not reported" in pdf_text((tmp_path / "unit-2.pdf").read_bytes())
    assert all(0 < o.max_rss_mb < 1000 for o in outcomes)
