"""The HR pages' blueprint `admin` (/hr): its routes are in `admin.py` and `users.py`."""

from flask import Blueprint

from ..config import HR_PREFIX

bp = Blueprint("admin", __name__, url_prefix=HR_PREFIX, template_folder="templates")
