"""Respondents' comments of a closed wave (on the blueprint `admin`), shown under the rule of
`services.comments`: pooled groups of at least max(10, k) respondents from at least two units,
a fresh random order per view, no date. HR (admin, analyst) can hide a comment and show it
again, both audited; nobody can edit one. A unit head sees the groups inside their subtree."""

from __future__ import annotations

import uuid

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..i18n import current_lang
from ..instrument_store import is_skm
from ..services import add_audit_entry
from ..services.comments import (
    MIN_UNITS,
    comment_groups,
    comment_in_shown_group,
    comment_k,
    load_themes,
    theme_counts,
    themes_path,
)
from .auth import login_required
from .blueprint import bp
from .common import HR, closed_wave_or_409, visible_unit_ids
from .forms import CommentModerationForm


@bp.route("/gelombang/<int:wave_id>/komentar")
@login_required()
def comments(wave_id: int) -> ResponseReturnValue:
    """The shown comment groups of a closed wave, with theme counts per group."""
    wave = closed_wave_or_409(wave_id)
    moderator = g.user.role in HR
    groups = comment_groups(wave, visible_unit_ids(), include_hidden=moderator)
    themes = load_themes(themes_path(current_app.instance_path))
    counts = {group.position: theme_counts(themes, [c.text for c in group.comments
                                                    if not c.hidden]) for group in groups}
    return render_template("hr/comments.html", wave=wave, groups=groups, counts=counts,
                           k=comment_k(wave), min_units=MIN_UNITS, moderator=moderator,
                           skm=is_skm(wave),
                           form=CommentModerationForm(), lang=current_lang())


@bp.route("/gelombang/<int:wave_id>/komentar/<action>", methods=["POST"])
@login_required(*HR)
def moderate_comment(wave_id: int, action: str) -> ResponseReturnValue:
    """Hide a shown comment (`sembunyikan`), or show a hidden one again (`tampilkan`);
    written to the audit log."""
    if action not in ("sembunyikan", "tampilkan"):
        abort(404)
    wave = closed_wave_or_409(wave_id)
    form = CommentModerationForm()
    if not form.validate_on_submit():
        abort(400, description=_("Formulir kedaluwarsa atau tidak lengkap; silakan coba lagi."))
    try:
        comment_id = uuid.UUID(form.comment.data)
    except ValueError:
        abort(400, description=_("Komentar tidak dikenal."))
    comment = comment_in_shown_group(wave, comment_id)
    if comment is None:
        abort(404, description=_("Komentar tidak dikenal."))
    hide = action == "sembunyikan"
    if comment.hidden != hide:
        comment.hidden = hide
        add_audit_entry(g.user.username, "comment.hide" if hide else "comment.show", wave.id)
    flash(_("Komentar disembunyikan.") if hide else _("Komentar ditampilkan lagi."))
    return redirect(url_for("admin.comments", wave_id=wave.id))
