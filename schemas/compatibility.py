"""Avro schema resolution rules, as a checker: can a reader schema read data written with a writer's?

BACKWARD compatibility of a contract means every newer version reads every older one.
"""

from __future__ import annotations

from typing import Any

from schemas.registry import versions

_PROMOTIONS = {
    "int": {"long", "float", "double"},
    "long": {"float", "double"},
    "float": {"double"},
    "string": {"bytes"},
    "bytes": {"string"},
}
_NAMED = {"record", "enum", "fixed"}


def _type(schema: Any) -> str:
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, dict):
        return str(schema["type"])
    return str(schema)


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def incompatibilities(reader: Any, writer: Any, path: str = "") -> list[str]:
    """Why `reader` cannot read data written with `writer`; empty when it can.

    Both are fastavro-parsed schemas (named types expanded at first use, referenced by name after).
    """
    return _check(reader, writer, path or "/", {}, set())


def _check(
    reader: Any, writer: Any, path: str, named: dict[str, Any], seen: set[tuple[str, str]]
) -> list[str]:
    for schema in (reader, writer):
        if isinstance(schema, dict) and _type(schema) in _NAMED:
            named.setdefault(schema["name"], schema)
    reader = named.get(reader, reader) if isinstance(reader, str) else reader
    writer = named.get(writer, writer) if isinstance(writer, str) else writer
    rt, wt = _type(reader), _type(writer)
    if wt == "union":
        return [
            p for i, branch in enumerate(writer) for p in _check(reader, branch, f"{path}[{i}]", named, seen)
        ]
    if rt == "union":
        if any(not _check(branch, writer, path, named, set(seen)) for branch in reader):
            return []
        return [f"{path}: no branch of the reader's union reads the writer's {wt}"]
    if rt != wt:
        if rt in _PROMOTIONS.get(wt, set()):
            return []
        return [f"{path}: reader type {rt} cannot read writer type {wt}"]
    if rt in _NAMED and _short(reader["name"]) != _short(writer["name"]):
        return [f"{path}: reader {reader['name']} is not writer {writer['name']}"]
    if rt == "record":
        key = (reader["name"], writer["name"])
        if key in seen:
            return []
        seen.add(key)
        return _check_record(reader, writer, path, named, seen)
    if rt == "enum":
        missing = set(writer["symbols"]) - set(reader["symbols"])
        if missing and "default" not in reader:
            return [
                f"{path}: reader enum {reader['name']} lacks symbols {sorted(missing)} and has no default"
            ]
        return []
    if rt == "array":
        return _check(reader["items"], writer["items"], f"{path}items/", named, seen)
    if rt == "map":
        return _check(reader["values"], writer["values"], f"{path}values/", named, seen)
    if rt == "fixed" and reader["size"] != writer["size"]:
        return [f"{path}: fixed sizes differ"]
    return []


def _check_record(
    reader: Any, writer: Any, path: str, named: dict[str, Any], seen: set[tuple[str, str]]
) -> list[str]:
    problems: list[str] = []
    written = {f["name"]: f for f in writer["fields"]}
    for field in reader["fields"]:
        fpath = f"{path}{field['name']}/"
        source = written.get(field["name"]) or next(
            (written[a] for a in field.get("aliases", []) if a in written), None
        )
        if source is None:
            if "default" not in field:
                problems.append(f"{fpath}: reader field has no default and the writer lacks it")
            continue
        problems += _check(field["type"], source["type"], fpath, named, seen)
    return problems


def backward_problems(name: str) -> dict[tuple[int, int], list[str]]:
    """For every pair (newer reader, older-or-same writer) of a contract's versions, what breaks."""
    vs = versions(name)
    return {
        (r.version, w.version): incompatibilities(r.parsed, w.parsed)
        for r in vs
        for w in vs
        if w.version <= r.version
    }
