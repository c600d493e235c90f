"""Helpers for app tests: respondent submissions through the real forms (CSRF on)."""

from __future__ import annotations

import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Answer, Code, Response

from .conftest import csrf_token


def token(client, path: str = "/isi") -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client.get(path).get_data(as_text=True))


def submit(client, code: str, answers: dict[str, str], **extra: str):  # type: ignore[no-untyped-def]
    """GET the form for a CSRF token, then POST the code and the answers."""
    data = {"csrf_token": token(client), "code": code, "answers": "1", **answers, **extra}
    return client.post("/isi/survei", data=data)


def counts(app) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(responses, answers, used codes) in the database."""
    with app.app_context():
        return (db.session.scalar(sa.select(sa.func.count()).select_from(Response)),
                db.session.scalar(sa.select(sa.func.count()).select_from(Answer)),
                db.session.scalar(sa.select(sa.func.count()).select_from(Code)
                                  .where(Code.used.is_(True))))
