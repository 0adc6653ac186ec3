"""Alembic environment: the URL comes from the Config built by `signalhub.store.migrate`."""

from __future__ import annotations

from alembic import context

from signalhub.store.base import make_engine
from signalhub.store.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "signalhub.store.migrate sets sqlalchemy.url"

engine = make_engine(url)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
