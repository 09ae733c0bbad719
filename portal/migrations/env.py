"""Alembic environment: runs on the engine handed over by portal.db.upgrade().

No logging.config.fileConfig here: it would silence the portal's own loggers.
"""
from alembic import context

import portal.models  # noqa: F401  (registers every capability's tables on Base.metadata)
from portal.db import Base

engine = context.config.attributes["engine"]


def include_object(obj, name, type_, reflected, compare_to):
    # The FTS5 tables of migration 0003 are made by hand; autogenerate must not drop them.
    return not (type_ == "table" and name and name.startswith("sampling_fts"))


is_sqlite = engine.dialect.name == "sqlite"

with engine.connect() as connection:
    if is_sqlite:
        # Batch migrations copy and drop tables; with foreign keys on, dropping a parent
        # would cascade. The pragma is ignored inside a transaction, so set it first.
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=is_sqlite,
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    finally:
        if is_sqlite:
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")
