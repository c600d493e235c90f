"""Upload file names (issue #12): a NUL in the name is refused with a message, not a 500."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEntry, Unit

from .conftest import csrf_token, login

CSV = b"code,name,parent_code,headcount\nKEL9,Kelurahan Baru,,4\n"


@pytest.mark.parametrize("name", ["units\x00.csv", "\x00", "a.csv\x00.xlsx"])
def test_nul_in_upload_file_name_is_refused(app, client, users, backend, name):
    login(client, "admin")
    page = client.get("/hr/unit").get_data(as_text=True)
    r = client.post("/hr/unit", data={"csrf_token": csrf_token(page),
                                      "file": (io.BytesIO(CSV), name)},
                    content_type="multipart/form-data")
    assert r.status_code == 400
    text = r.get_data(as_text=True)
    assert "Nama berkas" in text and "file name" in text  # Bahasa Indonesia, then English
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "units.import")) == 0


def test_a_normal_upload_name_still_imports(app, client, users):
    login(client, "admin")
    page = client.get("/hr/unit").get_data(as_text=True)
    r = client.post("/hr/unit", data={"csrf_token": csrf_token(page),
                                      "file": (io.BytesIO(CSV), "units.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
