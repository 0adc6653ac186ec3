"""Declarative base, portable column types and the engine/session factory."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, DateTime, MetaData, String, TypeDecorator, create_engine, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


_IDS_PER_READ = 256
_random = threading.local()  # this thread's unused random hex digits, 32 per id


def _forget_random() -> None:
    _random.__dict__.clear()  # a forked child must not repeat its parent's ids


os.register_at_fork(after_in_child=_forget_random)


def new_id() -> str:
    """A random (version 4) UUID as text: `str(uuid.uuid4())` without building a `UUID` object.

    The random bytes are the system's (`os.urandom`), read 256 ids at a time for each thread:
    intake makes ~7 ids per signal, and each read releases the GIL, so a read per id made the
    intake thread wait for Kafka's network thread to hand the GIL back."""
    hexes: list[str] | None = _random.__dict__.get("hexes")
    if not hexes:
        block = os.urandom(16 * _IDS_PER_READ).hex()
        hexes = _random.hexes = [block[i : i + 32] for i in range(0, len(block), 32)]
    h = hexes.pop()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def json_bytes(value: Any) -> bytes:
    """The one JSON encoder of the database's JSON columns (orjson: a tenth of `json.dumps`'s
    time; intake writes ~10 000 JSON values per batch). Keys that are not strings become strings,
    as with `json.dumps`."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def _json_text(value: Any) -> str:
    return json_bytes(value).decode()


ID = String(36)


def make_engine(url: str, *, echo: bool = False, pool_size: int = 5) -> Engine:
    """The one engine factory. SQLite gets WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, json_serializer=_json_text, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    # A server that silently drops packets must fail a connection attempt, not hang it forever.
    return create_engine(
        url, echo=echo, pool_size=pool_size, pool_pre_ping=True, json_serializer=_json_text,
        connect_args={"connect_timeout": 10},
    )  # fmt: skip


def make_sessionmaker(engine: Engine) -> sessionmaker[Any]:
    return sessionmaker(engine, expire_on_commit=False)
