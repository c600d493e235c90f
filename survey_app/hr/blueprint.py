"""The HR pages' blueprint `admin` (/hr): its routes are in `admin.py` and `users.py`."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/hr", template_folder="templates")
