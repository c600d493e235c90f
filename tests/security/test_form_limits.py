"""Oversized forms (issue #12): a 6.7 MB urlencoded body is refused at once with a bilingual
413, while a normal survey POST and a unit-import upload still work."""

from __future__ import annotations

import io
import time

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.app.helpers import counts, submit

from .conftest import FULL_ANSWERS, csrf_token, login

BODY = "&".join(f"f{i}=x" for i in range(900_000))[:6_700_000]  # ~900,000 short fields


@pytest.mark.parametrize("path", ["/isi/survei", "/isi", "/hr/masuk", "/hr/unit"])
def test_a_huge_urlencoded_form_is_refused_quickly(app, client, path):
    start = time.perf_counter()
    r = client.post(path, data=BODY, content_type="application/x-www-form-urlencoded")
    elapsed = time.perf_counter() - start
    assert r.status_code == 413
    text = r.get_data(as_text=True)
    assert "terlalu besar" in text and "too large" in text  # Bahasa Indonesia, then English
    assert text.index("terlalu besar") < text.index("too large")
    assert elapsed < 0.5, f"{elapsed * 1000:.0f} ms to refuse"


def test_a_normal_survey_post_still_works(app, open_wave_codes):
    client = app.test_client()
    r = submit(client, open_wave_codes["codes"]["A"][0], FULL_ANSWERS, cut="struktural")
    assert r.status_code == 200
    assert counts(app)[0] == 1


def test_the_unit_import_takes_a_large_file_but_not_a_huge_one(app, client, users):
    login(client, "admin")

    def upload(size: int):  # type: ignore[no-untyped-def]
        page = client.get("/hr/unit").get_data(as_text=True)
        data = b"code,name,parent_code,headcount\n" + b"#" * size
        # Encoded in memory: the test client's own spooled body file is left open when the
        # app refuses it unread.
        boundary, body = encode_multipart(MultiDict({
            "csrf_token": csrf_token(page),
            "file": FileStorage(io.BytesIO(data), "units.csv", content_type="text/csv")}))
        return client.post("/hr/unit", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")

    assert upload(2_000_000).status_code == 422  # read and refused for its content
    assert upload(9_000_000).status_code == 413
