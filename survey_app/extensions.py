"""Flask extension objects, created unbound and initialised in `create_app` (flaskr style)."""

from typing import TYPE_CHECKING, ClassVar

from flask_babel import Babel
from flask_compress import Compress
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Every constraint gets a stable name, so migrations and error messages can refer to it.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose metadata carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel
    from sqlalchemy import Table

    class Model(_FlaskModel, Base):
        """The type checker's view of `db.Model`: mypy takes no base class from an attribute
        of an instance. At run time `db.Model` is Flask-SQLAlchemy's model class built on
        `Base`'s body. Every model here is mapped to a table, never to a join or a select."""

        __table__: ClassVar[Table]

else:
    Model = db.Model

migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
