"""User management (admins only) through the web forms, CSRF on: list, create, role/unit,
password reset, deactivation, export permission, the guards and the audit log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from survey_app.database import MIGRATIONS
from survey_app.extensions import db
from survey_app.models import AuditEntry, User
from survey_app.services.users import UserRuleError, create_user, set_active

from .conftest import add_units, csrf_token

PASSWORD = "correct horse battery"
NEW_PASSWORD = "another long secret"


@pytest.fixture
def people(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        units = add_units([("ROOT", "Pemkot", None, 0), ("KEC", "Kecamatan Plaju", "ROOT", 10)])
        ids = {name: create_user(name, PASSWORD, role, units["KEC"].id if role == "unit_head"
                                 else None).id
               for name, role in [("admin", "admin"), ("analis", "analyst"),
                                  ("camat", "unit_head")]}
        db.session.commit()
        return {"users": ids, "units": {c: u.id for c, u in units.items()}}


def login(client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get("/hr/masuk").get_data(as_text=True)
    return client.post("/hr/masuk", data={"csrf_token": csrf_token(page), "username": username,
                                          "password": password})


def post(client, page: str, url: str, data: dict):  # type: ignore[no-untyped-def]
    """GET `page` for the CSRF token, POST `data` to `url`."""
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def create(client, **fields: str):  # type: ignore[no-untyped-def]
    data = {"username": "baru", "role": "analyst", "unit": "0", "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD, **fields}
    return post(client, "/hr/pengguna", "/hr/pengguna", data)


def user_row(app, username: str) -> User | None:  # type: ignore[no-untyped-def]
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is not None:
            db.session.expunge(user)
        return user


def audit_entries(app, action: str | None = None) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        query = sa.select(AuditEntry.actor, AuditEntry.action, AuditEntry.detail)
        if action:
            query = query.where(AuditEntry.action == action)
        return [tuple(r) for r in db.session.execute(query.order_by(AuditEntry.id))]


def test_non_admins_get_403_with_a_message(client, people):
    assert client.get("/hr/pengguna").status_code == 302  # not logged in: to the login page
    for name in ("analis", "camat"):
        login(client, name)
        r = client.get("/hr/pengguna")
        assert r.status_code == 403
        assert "Hanya admin yang dapat mengelola pengguna" in r.get_data(as_text=True)
        target = people["users"]["admin"]
        assert client.get(f"/hr/pengguna/{target}").status_code == 403
        token = csrf_token(client.get("/hr/").get_data(as_text=True))  # the logout form's
        r = client.post(f"/hr/pengguna/{target}/status", data={"csrf_token": token,
                                                                "value": "0"})
        assert r.status_code == 403
        assert client.get("/hr/pengguna?lang=en").status_code == 403
        assert "Only admins can manage users" in client.get("/hr/pengguna").get_data(
            as_text=True)
        client.get("/hr/?lang=id")
    assert user_row(client.application, "admin").active  # the refused POST changed nothing
    html = client.get("/hr/").get_data(as_text=True)
    assert "/hr/pengguna" not in html  # no menu link for a non-admin


def test_list_shows_role_unit_status_and_export_permission(app, client, people):
    with app.app_context():
        analyst = db.session.get(User, people["users"]["analis"])
        analyst.active, analyst.can_export_respondents = False, True
        db.session.commit()
    login(client, "admin")
    assert "/hr/pengguna" in client.get("/hr/").get_data(as_text=True)
    html = client.get("/hr/pengguna").get_data(as_text=True)
    rows = {line.split("</a>")[0].rsplit(">", 1)[1]: line for line in html.split("<tr>")[1:]
            if "</a>" in line}
    assert set(rows) == {"admin", "analis", "camat"}
    assert "Kepala unit" in rows["camat"] and "KEC · Kecamatan Plaju" in rows["camat"]
    assert "nonaktif" in rows["analis"] and "<td>ya</td>" in rows["analis"]
    assert ">aktif<" in rows["admin"] and "<td>tidak</td>" in rows["admin"]


def test_admin_creates_a_unit_head_and_it_is_audited_without_the_password(app, client,
                                                                          people):
    login(client, "admin")
    r = create(client, username="lurah", role="unit_head", unit=str(people["units"]["KEC"]))
    assert r.status_code == 302
    user = user_row(app, "lurah")
    assert user is not None and user.role == "unit_head"
    assert user.unit_id == people["units"]["KEC"]
    assert user.active and not user.can_export_respondents
    assert NEW_PASSWORD not in user.password_hash
    assert audit_entries(app, "user.create") == [("admin", "user.create",
                                                  "lurah: role=unit_head unit=KEC")]
    other = app.test_client()
    assert login(other, "lurah", NEW_PASSWORD).status_code == 302
    assert all(NEW_PASSWORD not in detail for _, _, detail in audit_entries(app))


@pytest.mark.parametrize(("fields", "message"), [
    ({"username": "ADMIN"}, "Nama pengguna ADMIN sudah dipakai"),
    ({"role": "unit_head"}, "Kepala unit harus memiliki unit"),
    ({"role": "unit_head", "unit": "9999"}, "Unit tidak dikenal: 9999"),
    ({"password": "short1234", "confirm": "short1234"},
     "Kata sandi harus terdiri atas sedikitnya 10 karakter"),
    ({"confirm": "something else"}, "Kedua kata sandi tidak sama"),
])
def test_create_refusals_are_explained_and_store_nothing(app, client, people, fields,
                                                         message):
    login(client, "admin")
    before = audit_entries(app)
    r = create(client, **fields)
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 3
    assert audit_entries(app) == before


def test_the_same_password_rule_as_the_cli(app, people):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["create-admin", "cli.user", "--password", "short1234"])
    assert r.exit_code != 0 and "at least 10 characters" in r.output
    r = runner.invoke(args=["create-admin", "cli.user", "--password", "long enough!"])
    assert r.exit_code == 0, r.output
    assert ("cli", "user.create", "cli.user: role=admin") in audit_entries(app)
    r = runner.invoke(args=["create-admin", "Cli.User", "--password", "long enough!"])
    assert r.exit_code != 0 and "already taken" in r.output


def test_change_role_and_unit(app, client, people):
    login(client, "admin")
    analyst = people["users"]["analis"]
    page = f"/hr/pengguna/{analyst}"
    r = post(client, page, f"{page}/peran", {"role": "unit_head", "unit": "0"})
    assert r.status_code == 409
    assert "Kepala unit harus memiliki unit" in r.get_data(as_text=True)
    assert user_row(app, "analis").role == "analyst"
    r = post(client, page, f"{page}/peran", {"role": "unit_head",
                                              "unit": str(people["units"]["ROOT"])})
    assert r.status_code == 302
    assert user_row(app, "analis").role == "unit_head"
    assert user_row(app, "analis").unit_id == people["units"]["ROOT"]
    assert audit_entries(app, "user.update") == [
        ("admin", "user.update", "analis: role=analyst -> role=unit_head unit=ROOT")]
    post(client, page, f"{page}/peran", {"role": "admin", "unit": str(people["units"]["ROOT"])})
    user = user_row(app, "analis")
    assert user.role == "admin" and user.unit_id is None  # a unit only for unit heads


def test_an_admin_cannot_demote_or_deactivate_themselves(app, client, people):
    login(client, "admin")
    me = people["users"]["admin"]
    page = f"/hr/pengguna/{me}"
    assert "Anda tidak dapat mengubah peran akun Anda sendiri" in client.get(page).get_data(
        as_text=True)
    r = post(client, page, f"{page}/peran", {"role": "analyst", "unit": "0"})
    assert r.status_code == 409
    assert "Anda tidak dapat mengubah peran akun Anda sendiri" in r.get_data(as_text=True)
    r = post(client, page, f"{page}/status", {"value": "0"})
    assert r.status_code == 409
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri" in r.get_data(as_text=True)
    user = user_row(app, "admin")
    assert user.role == "admin" and user.active
    assert audit_entries(app, "user.update") == audit_entries(app, "user.deactivate") == []


def test_the_last_active_admin_cannot_be_removed(app, people):
    """Through the page an admin can only remove *another* admin, so this guard is reached
    through the service (the CLI, or a race between two admins)."""
    with app.app_context():
        admin = db.session.get(User, people["users"]["admin"])
        analyst = db.session.get(User, people["users"]["analis"])
        with pytest.raises(UserRuleError) as info:
            set_active(admin, False, actor=analyst)
        assert info.value.reason == "last_admin"
        from survey_app.services.users import change_role

        with pytest.raises(UserRuleError) as info:
            change_role(admin, "analyst", None, actor=analyst)
        assert info.value.reason == "last_admin"
        second = create_user("admin2", PASSWORD, "admin")
        second.active = False  # an inactive admin does not count
        db.session.flush()
        with pytest.raises(UserRuleError):
            set_active(admin, False, actor=analyst)
        second.active = True
        db.session.flush()
        assert set_active(admin, False, actor=analyst) is True
        db.session.commit()
    assert not user_row(app, "admin").active


def test_reset_password(app, client, people):
    login(client, "admin")
    page = f"/hr/pengguna/{people['users']['camat']}"
    r = post(client, page, f"{page}/sandi", {"password": "pendek", "confirm": "pendek"})
    assert r.status_code == 409
    assert "sedikitnya 10 karakter" in r.get_data(as_text=True)
    r = post(client, page, f"{page}/sandi", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302
    other = app.test_client()
    assert login(other, "camat").status_code == 200  # the old password is refused
    assert login(other, "camat", NEW_PASSWORD).status_code == 302
    assert audit_entries(app, "user.password_reset") == [
        ("admin", "user.password_reset", "camat")]
    assert all(NEW_PASSWORD not in d and PASSWORD not in d for _, _, d in audit_entries(app))


def test_deactivated_user_cannot_log_in_and_loses_a_live_session(app, client, people):
    analyst = app.test_client()
    assert login(analyst, "analis").status_code == 302
    assert analyst.get("/hr/").status_code == 200
    login(client, "admin")
    page = f"/hr/pengguna/{people['users']['analis']}"
    assert post(client, page, f"{page}/status", {"value": "0"}).status_code == 302
    assert not user_row(app, "analis").active
    r = analyst.get("/hr/")
    assert r.status_code == 302 and "/hr/masuk" in r.headers["Location"]
    assert analyst.get("/hr/audit").status_code == 302
    r = login(analyst, "analis")
    assert r.status_code == 200 and "Akun ini dinonaktifkan" in r.get_data(as_text=True)
    r = login(analyst, "analis", "wrong password!!")  # a wrong password says nothing more
    assert "Akun ini dinonaktifkan" not in r.get_data(as_text=True)
    assert post(client, page, f"{page}/status", {"value": "1"}).status_code == 302
    assert login(analyst, "analis").status_code == 302
    assert [a for _, a, _ in audit_entries(app) if a.startswith("user.")] == [
        "user.deactivate", "user.reactivate"]


def test_grant_and_revoke_the_export_permission(app, client, people):
    assert not user_row(app, "analis").can_export_respondents  # default
    login(client, "admin")
    page = f"/hr/pengguna/{people['users']['analis']}"
    r = post(client, page, f"{page}/izin-ekspor", {"value": "1"})
    assert r.status_code == 302 and user_row(app, "analis").can_export_respondents
    post(client, page, f"{page}/izin-ekspor", {"value": "1"})  # a repeated click: no toggle
    assert user_row(app, "analis").can_export_respondents
    post(client, page, f"{page}/izin-ekspor", {"value": "0"})
    assert not user_row(app, "analis").can_export_respondents
    assert audit_entries(app, "user.export_grant") == [("admin", "user.export_grant", "analis")]
    assert audit_entries(app, "user.export_revoke") == [
        ("admin", "user.export_revoke", "analis")]
    assert post(client, page, f"{page}/izin-ekspor", {"value": "yes"}).status_code == 400


def test_unknown_user_is_404(client, people):
    login(client, "admin")
    assert client.get("/hr/pengguna/9999").status_code == 404


def test_migration_keeps_existing_users_active_without_export_permission(app):
    with app.app_context():
        downgrade(directory=str(MIGRATIONS), revision="sec0101ratelimit")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO user_account (username, password_hash, role) "
                                 "VALUES ('lama', 'x', 'analyst')"))
        upgrade(directory=str(MIGRATIONS))
        row = db.session.execute(sa.select(User.active, User.can_export_respondents)
                                 .where(User.username == "lama")).one()
    assert tuple(row) == (True, False)
