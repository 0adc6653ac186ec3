"""Case actions through the API on PostgreSQL: state moves via the domain state machine, each a
case event and an audit entry; reopening writes a CaseAlert to the outbox that the codec accepts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from schemas.codec import Codec
from signalhub.store.models import AuditEntry, CaseEvent, OutboxMessage, Person, PersonKey, SignalPerson
from tests.fixtures.api import MUNI_A, Seed, bearer

pytestmark = pytest.mark.integration


@pytest.fixture
def coord(seed: Seed) -> str:
    return seed.user("coord", "coordinator")


def test_case_from_acknowledgement_to_outcome_and_reopening(
    make_client: Callable[..., TestClient], seed: Seed, coord: str
) -> None:
    curator = seed.user("cur", "curator", municipality=MUNI_A)
    case_id = seed.case()
    client = make_client()
    h = bearer(client, "coord")
    url = f"/api/v1/cases/{case_id}"

    assert client.post(f"{url}/close", json={"outcome": "family_preserved"}, headers=h).status_code == 409
    r = client.post(f"{url}/acknowledge", headers=h)
    assert r.status_code == 200
    assert r.json()["status"] == "acknowledged"
    assert client.post(f"{url}/acknowledge", headers=h).status_code == 409
    r = client.post(f"{url}/curator", json={"curator_id": curator}, headers=h)
    assert (r.json()["status"], r.json()["curator_id"]) == ("assessment", curator)
    r = client.post(
        f"{url}/conferences",
        json={"scheduled_at": "2030-02-01T10:00:00+03:00", "agencies": ["police", "health", "guardianship"],
              "protocol": "Причины: утрата работы", "recommendations": "Курс для родителей",
              "follow_up_date": "2030-03-01"},
        headers=h,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    r = client.post(
        f"{url}/plan-items",
        json={"action": "Оформить пособие", "responsible_agency": "social", "due_date": "2030-02-15"},
        headers=h,
    )
    assert r.status_code == 201
    item = r.json()["id"]
    assert client.patch(f"{url}/plan-items/{item}", json={"status": "done"}, headers=h).status_code == 200
    assert client.post(f"{url}/review-date", json={"review_date": "2030-03-01"}, headers=h).status_code == 200
    assert (
        client.post(f"{url}/status", json={"status": "monitoring"}, headers=h).json()["status"]
        == "monitoring"
    )
    assert client.post(f"{url}/status", json={"status": "assessment"}, headers=h).status_code == 409
    assert client.post(f"{url}/close", json={"outcome": "nonsense"}, headers=h).status_code == 422
    r = client.post(f"{url}/close", json={"outcome": "returned_to_family"}, headers=h)
    assert (r.json()["status"], r.json()["outcome"]) == ("closed", "returned_to_family")

    detail = client.get(url, headers=h).json()
    assert [c["agencies"] for c in detail["conferences"]] == [["guardianship", "health", "police"]]
    assert detail["plan"][0]["status"] == "done"
    kinds = [e["code"] for e in detail["timeline"] if e["kind"] == "event"]
    assert kinds[0] == "acknowledged"
    assert {
        "curator_assigned",
        "conference_scheduled",
        "plan_item_added",
        "review_date_set",
        "closed",
    } <= set(kinds)
    assert any(e["kind"] == "signal" and e["agency"] == "police" for e in detail["timeline"])
    assert detail["priority"]["rules"][0] == {"code": "type:domestic_violence", "points": 35}

    r = client.post(f"{url}/reopen", json={"reason": "новый сигнал"}, headers=h)
    assert r.json()["status"] == "assessment"
    with seed.session() as s:
        alerts = s.scalars(select(OutboxMessage).where(OutboxMessage.contract == "CaseAlert")).all()
        assert len(alerts) == 1
        alert = alerts[0]
        assert (alert.key, alert.topic) == (case_id, "test.alerts.children-in-family")
        assert alert.payload["alert_type"] == "case_reopened"
        assert alert.payload["children_count"] == 1
        decoded = Codec("CaseAlert").decode(Codec("CaseAlert").encode(alert.payload))
        assert decoded["case_id"] == case_id
        assert "Смирнова" not in str(alert.payload)
        events = s.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case_id)).all()
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id)).all()
    assert "reopened" in events
    assert {"case.read", "case.acknowledged", "case.closed", "case.reopened"} <= set(actions)
    assert len([a for a in actions if a != "case.read"]) == len(events)


def test_confirm_and_split_possible_match(
    make_client: Callable[..., TestClient], seed: Seed, coord: str
) -> None:
    case_id = seed.case(possible_match=True, agencies=("police", "health"))
    client = make_client()
    h = bearer(client, "coord")
    pending = client.get("/api/v1/matches", headers=h).json()
    assert len(pending) == 1
    link_id = pending[0]["link_id"]
    assert pending[0]["evidence"][0] == {"field": "surname", "level": "exact", "weight": 3.1}
    with seed.session() as s:
        old_person = s.get(SignalPerson, link_id).person_id
    r = client.post(f"/api/v1/matches/{link_id}/split", headers=h)
    assert r.status_code == 200, r.text
    new_person = r.json()["person_id"]
    assert new_person != old_person
    assert client.post(f"/api/v1/matches/{link_id}/confirm", headers=h).status_code == 422
    assert client.get("/api/v1/matches", headers=h).json() == []
    with seed.session() as s:
        link = s.get(SignalPerson, link_id)
        assert link is not None
        assert (link.person_id, link.review_status) == (new_person, "split")
        person = s.get(Person, new_person)
        assert person is not None
        assert (person.surname, person.first_name) == ("Смирнова", "Ольга")
        # The new person is indexed, so a later signal about her can be linked to her.
        keys = s.scalars(select(PersonKey.key).where(PersonKey.person_id == new_person)).all()
        assert keys
    family = client.get(f"/api/v1/cases/{case_id}", headers=h).json()["family"]
    assert new_person in {m["person_id"] for m in family}


def test_merge_two_cases_of_one_family(
    make_client: Callable[..., TestClient], seed: Seed, coord: str
) -> None:
    target = seed.case(agencies=("police",), level="high")
    source = seed.case(agencies=("education",), level="urgent", deadline_in=timedelta(minutes=20))
    client = make_client()
    h = bearer(client, "coord")
    number = client.get(f"/api/v1/cases/{source}", headers=h).json()["case"]["number"]
    r = client.post(f"/api/v1/cases/{target}/merge", json={"source_case_number": number}, headers=h)
    assert r.status_code == 200, r.text
    merged = r.json()
    assert merged["agencies"] == ["education", "police"]
    assert merged["priority_level"] == "urgent"
    src = client.get(f"/api/v1/cases/{source}", headers=h).json()["case"]
    assert src["status"] == "closed"
    detail = client.get(f"/api/v1/cases/{target}", headers=h).json()
    assert {e["agency"] for e in detail["timeline"] if e["kind"] == "signal"} == {"police", "education"}
    assert (
        client.post(
            f"/api/v1/cases/{target}/merge", json={"source_case_number": number}, headers=h
        ).status_code
        == 409
    )
    with seed.session() as s:
        types = s.scalars(select(OutboxMessage.payload)).all()
    assert [p["alert_type"] for p in types] == ["case_escalated"]


def test_curator_cannot_assign_or_merge(
    make_client: Callable[..., TestClient], seed: Seed, coord: str
) -> None:
    cur = seed.user("cur", "curator", municipality=MUNI_A)
    case_id = seed.case()
    client = make_client()
    h = bearer(client, "cur")
    assert client.post(f"/api/v1/cases/{case_id}/acknowledge", headers=h).status_code == 200
    assert (
        client.post(f"/api/v1/cases/{case_id}/curator", json={"curator_id": cur}, headers=h).status_code
        == 403
    )
    r = client.post(f"/api/v1/cases/{case_id}/merge", json={"source_case_number": "x"}, headers=h)
    assert r.status_code == 403
