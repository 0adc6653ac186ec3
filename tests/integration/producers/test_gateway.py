"""The HTTP gateway (FastAPI TestClient) publishing to the real broker: auth, limits, validation."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from producers.gateway.app import create_app
from producers.gateway.keys import KeyStore, add_key, revoke_key
from producers.gateway.limits import RateLimiter
from producers.publisher import Publisher
from schemas.codec import Codec
from signalhub.settings import KafkaSettings
from signalhub.signals import RiskSignalModel
from tests.fixtures.intake import HUB_RULES
from tests.integration.producers.helpers import headers_of, read_topic
from tests.unit.schemas.samples import risk_signal

pytestmark = pytest.mark.integration
LIMIT = 16 * 1024


def body(**changes: Any) -> str:
    return json.dumps(risk_signal() | changes, default=str, ensure_ascii=False)


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    return tmp_path / "keys.json"


@pytest.fixture
def client(kafka_as: Callable[[str], KafkaSettings], keys_file: Path) -> Iterator[TestClient]:
    with Publisher(kafka_as("gateway"), rules=HUB_RULES, timeout_s=10) as publisher:
        yield TestClient(create_app(publisher, KeyStore(keys_file), max_body_bytes=LIMIT))


def post(client: TestClient, key: str | None, content: Any, **headers: str) -> Any:
    sent = {"Content-Type": "application/json", **headers} | ({"X-API-Key": key} if key else {})
    return client.post("/v1/signals", content=content, headers=sent)


def test_accepts_after_ack_and_is_idempotent(
    client: TestClient, keys_file: Path, kafka_settings: KafkaSettings
) -> None:
    key = add_key(keys_file, "police")
    first = post(client, key, body())
    again = post(client, key, body())
    assert first.status_code == again.status_code == 202
    assert first.json()["event_id"] == again.json()["event_id"] == risk_signal()["event_id"]
    records = read_topic(kafka_settings, kafka_settings.signal_topic("police"), expect=2)
    assert {headers_of(r)["ce_id"] for r in records} == {risk_signal()["event_id"]}
    decoded = RiskSignalModel.from_avro(Codec("RiskSignal").decode(records[0].value))
    assert decoded == RiskSignalModel.model_validate(risk_signal())


def test_keys_are_hashed_at_rest(keys_file: Path) -> None:
    key = add_key(keys_file, "health")
    assert key not in keys_file.read_text()
    assert keys_file.stat().st_mode & 0o077 == 0


def test_401_without_or_with_a_bad_or_revoked_key(client: TestClient, keys_file: Path) -> None:
    key = add_key(keys_file, "police")
    assert post(client, None, body()).status_code == 401
    assert post(client, key[:-2] + "xx", body()).status_code == 401
    assert post(client, "garbage", body()).status_code == 401
    revoke_key(keys_file, key.split("_")[1])
    assert post(client, key, body()).status_code == 401


def test_403_when_the_body_claims_another_agency(
    client: TestClient, keys_file: Path, kafka_settings: KafkaSettings
) -> None:
    key = add_key(keys_file, "education")
    response = post(client, key, body())  # a police signal
    assert response.status_code == 403
    assert read_topic(kafka_settings, kafka_settings.signal_topic("police"), idle_s=1.0) == []


def test_400_lists_every_field_error_without_values(
    client: TestClient, keys_file: Path, kafka_settings: KafkaSettings
) -> None:
    key = add_key(keys_file, "police")
    adult = risk_signal()["adults"][0] | {"snils": "112-233-445 96"}
    response = post(client, key, body(municipality_code="1", children=[], adults=[adult], extra="Иванова"))
    assert response.status_code == 400
    paths = [e["path"] for e in response.json()["errors"]]
    assert paths == ["municipality_code", "children", "adults[0].snils", "extra"]
    assert "Иванова" not in response.text
    assert "445" not in response.text
    for broken in ("{not json", "[1, 2]", b"\xff\xfe"):
        assert post(client, key, broken).status_code == 400
    assert read_topic(kafka_settings, kafka_settings.signal_topic("police"), idle_s=1.0) == []


def test_413_by_declared_length_and_by_actual_body(client: TestClient, keys_file: Path) -> None:
    key = add_key(keys_file, "police")
    big = body(description="x" * (LIMIT + 1))
    assert post(client, key, big).status_code == 413

    def chunks() -> Iterator[bytes]:  # chunked upload: no Content-Length at all
        data = big.encode()
        for start in range(0, len(data), 4096):
            yield data[start : start + 4096]

    assert post(client, key, chunks()).status_code == 413


def test_docs_and_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "RiskSignalModel" in schema["components"]["schemas"]
    assert "PersonModel" in schema["components"]["schemas"]
    assert "/v1/signals" in schema["paths"]


def test_metrics_count_requests_by_agency_and_status(
    kafka_as: Callable[[str], KafkaSettings], keys_file: Path
) -> None:
    from signalhub.metrics import Metrics

    metrics = Metrics()
    with Publisher(kafka_as("gateway"), rules=HUB_RULES, timeout_s=10) as publisher:
        client = TestClient(create_app(publisher, KeyStore(keys_file), max_body_bytes=LIMIT, metrics=metrics))
        key = add_key(keys_file, "police")
        assert post(client, key, body()).status_code == 202
        assert post(client, key, body(agency="health")).status_code == 403
        assert post(client, None, body()).status_code == 401
        text = client.get("/metrics").text
    assert 'signalhub_gateway_requests_total{agency="police",status="202"} 1.0' in text
    assert 'signalhub_gateway_requests_total{agency="police",status="403"} 1.0' in text
    assert 'signalhub_gateway_requests_total{agency="unknown",status="401"} 1.0' in text
    assert 'signalhub_signals_published_total{agency="police"} 1.0' in text
    assert client.get("/readyz").status_code == 200


# Finding 8 (issue 13): nesting, content type and rate.
def test_deep_nesting_is_a_400_not_a_500(kafka_settings: KafkaSettings, keys_file: Path) -> None:
    key = add_key(keys_file, "police")
    with Publisher(kafka_settings, rules=HUB_RULES, timeout_s=10) as publisher:
        client = TestClient(create_app(publisher, KeyStore(keys_file), max_body_bytes=256 * 1024))
        _nesting(client, key)


def _nesting(client: TestClient, key: str) -> None:
    deep = post(client, key, "[" * 100_000 + "]" * 100_000)  # 200 kB: under the default body limit
    assert deep.status_code == 400
    assert "nested deeper" in deep.json()["detail"]
    five = {**risk_signal(), "children": [[[[{"surname": "x"}]]]]}
    assert post(client, key, json.dumps(five, default=str)).status_code == 400
    assert post(client, key, body()).status_code == 202  # a signal's own depth is fine


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_body_that_is_not_json_by_its_content_type_is_a_415(
    client: TestClient, keys_file: Path, content_type: str
) -> None:
    key = add_key(keys_file, "police")
    assert post(client, key, body(), **{"Content-Type": content_type}).status_code == 415
    assert post(client, key, body(), **{"Content-Type": "application/json; charset=utf-8"}).status_code == 202


def test_past_the_keys_rate_the_answer_is_429_with_retry_after(
    kafka_settings: KafkaSettings, keys_file: Path
) -> None:
    police, health = add_key(keys_file, "police"), add_key(keys_file, "health")
    with Publisher(kafka_settings, rules=HUB_RULES, timeout_s=10) as publisher:
        app = create_app(publisher, KeyStore(keys_file), max_body_bytes=LIMIT, rate=RateLimiter(0.5, 3))
        client = TestClient(app)
        answers = [post(client, police, "{}") for _ in range(4)]
        assert [a.status_code for a in answers] == [403, 403, 403, 429]  # three in the burst, then none
        assert answers[-1].headers["Retry-After"] == "2"
        assert post(client, health, "{}").status_code == 403  # the limit is per key


def test_nul_in_a_name_is_a_400_naming_the_field(client: TestClient, keys_file: Path) -> None:
    """Finding 2: the gateway answered 202 to a name with a NUL, which then stopped intake."""
    key = add_key(keys_file, "police")
    child = risk_signal()["children"][0] | {"surname": "Ива\x00нова"}
    answer = post(client, key, body(children=[child]))
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"path": "children[0].surname", "reason": "must not contain control characters"}
    ]
    assert "Ива" not in answer.text
