import json

import avro.compatibility
import avro.schema
import pytest
from fastavro import parse_schema

from schemas.compatibility import backward_problems, incompatibilities
from schemas.registry import contract_names, versions

PAIRS = [
    (n, r.version, w.version)
    for n in contract_names()
    for r in versions(n)
    for w in versions(n)
    if w.version <= r.version
]


@pytest.mark.parametrize(("name", "reader", "writer"), PAIRS)
def test_every_newer_version_reads_every_older(name: str, reader: int, writer: int) -> None:
    assert backward_problems(name)[(reader, writer)] == []


@pytest.mark.parametrize(("name", "reader", "writer"), PAIRS)
def test_apache_avro_agrees(name: str, reader: int, writer: int) -> None:
    vs = {v.version: v for v in versions(name)}
    checker = avro.compatibility.ReaderWriterCompatibilityChecker()
    result = checker.get_compatibility(
        avro.schema.parse(json.dumps(vs[reader].raw)), avro.schema.parse(json.dumps(vs[writer].raw))
    )
    assert result.compatibility is avro.compatibility.SchemaCompatibilityType.compatible


def _record(fields: list[dict[str, object]]) -> object:
    return parse_schema({"type": "record", "name": "T", "fields": fields}, _write_hint=False)


def test_checker_catches_a_new_field_without_default() -> None:
    old = _record([{"name": "a", "type": "string"}])
    new = _record([{"name": "a", "type": "string"}, {"name": "b", "type": "int"}])
    assert incompatibilities(new, old) != []
    assert incompatibilities(old, new) == []


def test_checker_catches_a_removed_enum_symbol_and_a_narrowed_type() -> None:
    old = _record([{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["x", "y"]}}])
    new = _record([{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["x"]}}])
    assert incompatibilities(new, old) != []
    wide = _record([{"name": "n", "type": "long"}])
    narrow = _record([{"name": "n", "type": "int"}])
    assert incompatibilities(narrow, wide) != []
    assert incompatibilities(wide, narrow) == []


def test_checker_allows_enum_with_default_and_nullable_widening() -> None:
    old = _record([{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["x", "y"]}}])
    new = _record(
        [{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["x", "z"], "default": "x"}}]
    )
    assert incompatibilities(new, old) == []
    plain = _record([{"name": "s", "type": "string"}])
    nullable = _record([{"name": "s", "type": ["null", "string"], "default": None}])
    assert incompatibilities(nullable, plain) == []
    assert incompatibilities(plain, nullable) != []
