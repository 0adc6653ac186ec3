"""Case actions through the API on PostgreSQL: state moves via the domain state machine, each a
case event and an audit entry; reopening writes a CaseAlert to the outbox that the codec accepts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from schemas.codec import Codec
from services.api.actions.matches import candidate_of
from signalhub.store.models import AuditEntry, CaseEvent, OutboxMessage, Person, SignalPerson
from signalhub.store.registry_reads import labelled_pairs
from tests.fixtures.api import MUNI_A, MUNI_B, Seed, bearer

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
    assert (
        client.post(f"{url}/close", json={"outcome": "nonsense", "confirm": True}, headers=h).status_code
        == 422
    )
    # The conference of 2030 is still ahead: closing asks why.
    r = client.post(f"{url}/close", json={"outcome": "returned_to_family", "confirm": True}, headers=h)
    assert (r.status_code, r.json()["detail"]) == (
        409,
        "a conference is scheduled in the future: record why the case closes anyway",
    )
    closing = {"outcome": "returned_to_family", "confirm": True, "reason": "семья переехала в другой регион"}
    r = client.post(f"{url}/close", json=closing, headers=h)
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
    assert "case_reopened" in events
    assert {"case.read", "case.acknowledged", "case.closed", "case.reopened"} <= set(actions)
    assert len([a for a in actions if a != "case.read"]) == len(events)


def test_split_possible_match_keeps_the_persons_apart_and_labels_the_pair(
    make_client: Callable[..., TestClient], seed: Seed, coord: str
) -> None:
    case_id = seed.case(possible_match=True, agencies=("police", "health"))
    client = make_client()
    h = bearer(client, "coord")
    pending = client.get("/api/v1/matches", headers=h).json()
    assert len(pending) == 1
    link_id = pending[0]["link_id"]
    assert pending[0]["evidence"][0] == {"field": "surname", "level": "exact", "weight": 3.1}
    fields = {f["field"]: f for f in pending[0]["fields"]}  # side by side, for and against
    assert fields["surname"] == {"field": "surname", "mention": "Смирнова", "candidate": "Смирнова",
                                 "levels": ["exact"], "weight": 3.1, "side": "for"}  # fmt: skip
    assert (fields["patronymic"]["mention"], fields["patronymic"]["candidate"]) == ("—", "Петровна")
    assert (fields["snils"]["mention"], fields["snils"]["side"]) == ("11223344595", "none")
    with seed.session() as s:
        link = s.get(SignalPerson, link_id)
        assert link is not None
        provisional, candidate = link.person_id, candidate_of(link)
    assert candidate is not None
    r = client.post(f"/api/v1/matches/{link_id}/split", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["person_id"] == provisional
    assert client.post(f"/api/v1/matches/{link_id}/confirm", headers=h).status_code == 422
    assert client.get("/api/v1/matches", headers=h).json() == []
    with seed.session() as s:
        link = s.get(SignalPerson, link_id)
        assert link is not None
        assert (link.person_id, link.review_status) == (provisional, "split")
        assert s.get(Person, candidate) is not None
        assert labelled_pairs(s.connection()) == [({"surname": "exact", "birth_date": "swap"}, False)]
    assert case_id


def test_confirm_possible_match_merges_the_provisional_person_into_the_candidate(
    make_client: Callable[..., TestClient], seed: Seed, coord: str
) -> None:
    seed.case(possible_match=True, agencies=("police", "health"))
    client = make_client()
    h = bearer(client, "coord")
    link_id = client.get("/api/v1/matches", headers=h).json()[0]["link_id"]
    with seed.session() as s:
        link = s.get(SignalPerson, link_id)
        assert link is not None
        provisional, candidate = link.person_id, candidate_of(link)
    r = client.post(f"/api/v1/matches/{link_id}/confirm", headers=h)
    assert r.status_code == 200, r.text
    with seed.session() as s:
        link = s.get(SignalPerson, link_id)
        assert link is not None
        assert (link.person_id, link.review_status) == (candidate, "confirmed")
        assert s.get(Person, provisional) is None
        merged = s.get(Person, candidate)
        assert merged is not None
        assert merged.snils == "11223344595"  # a value the candidate lacked
        assert labelled_pairs(s.connection()) == [({"surname": "exact", "birth_date": "swap"}, True)]


def test_merge_two_cases_of_families_sharing_a_person(
    make_client: Callable[..., TestClient], seed: Seed, coord: str
) -> None:
    target = seed.case(agencies=("police",), level="high")
    source = seed.case(agencies=("education",), level="urgent", deadline_in=timedelta(minutes=20),
                       share_mother_of=target)  # fmt: skip
    client = make_client()
    h = bearer(client, "coord")
    number = client.get(f"/api/v1/cases/{source}", headers=h).json()["case"]["number"]
    body = {"source_case_number": number, "confirm": True, "reason": "общая мать"}
    assert (
        client.post(f"/api/v1/cases/{target}/merge", json=body | {"confirm": False}, headers=h).status_code
        == 422
    )
    assert (
        client.post(f"/api/v1/cases/{target}/merge", json=body | {"reason": ""}, headers=h).status_code == 422
    )
    r = client.post(f"/api/v1/cases/{target}/merge", json=body, headers=h)
    assert r.status_code == 200, r.text
    merged = r.json()
    assert merged["agencies"] == ["education", "police"]
    detail = client.get(f"/api/v1/cases/{target}", headers=h).json()
    # Reassessed from the merged case's own signals: the explanation counts both agencies.
    assert {"code": "agencies_30d:2", "points": 10} in detail["priority"]["rules"]
    assert detail["case"]["ack_deadline"] is not None
    src = client.get(f"/api/v1/cases/{source}", headers=h).json()["case"]
    assert src["status"] == "closed"
    assert {e["agency"] for e in detail["timeline"] if e["kind"] == "signal"} == {"police", "education"}
    assert client.post(f"/api/v1/cases/{target}/merge", json=body, headers=h).status_code == 409
    with seed.session() as s:
        types = s.scalars(select(OutboxMessage.payload)).all()
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.case_id.in_([target, source]))).all()
    assert [p["alert_type"] for p in types] == ["case_escalated"]
    assert {"case.merged_into", "case.merged_from"} <= set(actions)


def test_merge_of_unrelated_families_is_refused_with_the_reason(
    make_client: Callable[..., TestClient], seed: Seed, coord: str
) -> None:
    target = seed.case(agencies=("police",))
    source = seed.case(agencies=("health",), municipality=MUNI_B,
                       child=("Орлов", "Пётр", "Ильич", date(2022, 1, 2)),
                       mother=("Орлова", "Нина", "Ивановна", date(1990, 3, 4)))  # fmt: skip
    client = make_client()
    h = bearer(client, "coord")
    number = client.get(f"/api/v1/cases/{source}", headers=h).json()["case"]["number"]
    body = {"source_case_number": number, "confirm": True, "reason": "похоже"}
    r = client.post(f"/api/v1/cases/{target}/merge", json=body, headers=h)
    assert (r.status_code, r.json()["detail"]) == (
        409,
        "the cases concern different families that share no person",
    )
    assert client.get(f"/api/v1/cases/{source}", headers=h).json()["case"]["status"] == "new"
    family = client.get(f"/api/v1/cases/{target}", headers=h).json()["family"]
    assert {m["surname"] for m in family} == {"Смирнова"}


def test_a_coordinator_splits_a_merge_back(
    make_client: Callable[..., TestClient], seed: Seed, coord: str
) -> None:
    cur = seed.user("cur", "curator", municipality=MUNI_A)
    target = seed.case(agencies=("police",))
    source = seed.case(agencies=("education", "health"), status="assessment", share_mother_of=target)
    client = make_client()
    h = bearer(client, "coord")
    number = client.get(f"/api/v1/cases/{source}", headers=h).json()["case"]["number"]
    body = {"source_case_number": number, "confirm": True, "reason": "общая мать"}
    assert client.post(f"/api/v1/cases/{target}/merge", json=body, headers=h).status_code == 200
    undo = {"confirm": True, "reason": "разные семьи"}
    assert client.post(f"/api/v1/cases/{target}/split-back", json=undo, headers=h).status_code == 409
    assert (
        client.post(f"/api/v1/cases/{source}/split-back", json={"confirm": True}, headers=h).status_code
        == 422
    )
    assert (
        client.post(
            f"/api/v1/cases/{source}/split-back", json=undo, headers=bearer(client, "cur")
        ).status_code
        == 403
    )
    r = client.post(f"/api/v1/cases/{source}/split-back", json=undo, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["agencies"]) == ("assessment", ["education", "health"])
    back = client.get(f"/api/v1/cases/{target}", headers=h).json()
    assert back["case"]["agencies"] == ["police"]
    assert {e["agency"] for e in back["timeline"] if e["kind"] == "signal"} == {"police"}
    assert not any(r["code"].startswith("agencies_30d") for r in back["priority"]["rules"])
    with seed.session() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.case_id == source)).all()
    assert "case.merge_undone" in actions
    assert cur


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


def test_closing_needs_confirmation_and_a_closed_case_is_read_only(
    make_client: Callable[..., TestClient], seed: Seed, coord: str
) -> None:
    case_id = seed.case(status="support_plan")
    client = make_client()
    h = bearer(client, "coord")
    url = f"/api/v1/cases/{case_id}"
    item = client.post(
        f"{url}/plan-items", json={"action": "Пособие", "responsible_agency": "social", "due_date": "2030-02-15"},
        headers=h,
    ).json()["id"]  # fmt: skip
    r = client.post(f"{url}/close", json={"outcome": "family_preserved"}, headers=h)
    assert (r.status_code, r.json()["detail"]) == (
        422,
        "confirm: closing a case needs an explicit confirmation",
    )
    r = client.post(f"{url}/close", json={"outcome": "family_preserved", "confirm": True}, headers=h)
    assert (r.status_code, r.json()["detail"]) == (
        409,
        "plan items are still open: record why the case closes anyway",
    )
    assert client.patch(f"{url}/plan-items/{item}", json={"status": "done"}, headers=h).status_code == 200
    r = client.post(f"{url}/close", json={"outcome": "family_preserved", "confirm": True}, headers=h)
    assert r.json()["status"] == "closed"
    readonly = "a closed case is read-only: reopen it first"
    for method, path, body in (
        ("patch", f"{url}/plan-items/{item}", {"status": "planned"}),
        ("post", f"{url}/plan-items", {"action": "Ещё", "responsible_agency": "social", "due_date": "2030-03-01"}),
        ("post", f"{url}/conferences", {"scheduled_at": "2030-02-01T10:00:00+03:00", "agencies": ["police"]}),
        ("post", f"{url}/review-date", {"review_date": "2030-03-01"}),
    ):  # fmt: skip
        r = getattr(client, method)(path, json=body, headers=h)
        assert (r.status_code, r.json()["detail"]) == (409, readonly), path


def test_past_dates_and_plan_items_due_before_opening_are_refused(
    make_client: Callable[..., TestClient], seed: Seed, coord: str
) -> None:
    case_id = seed.case(status="assessment")
    client = make_client()
    h = bearer(client, "coord")
    url = f"/api/v1/cases/{case_id}"
    past = (seed.now - timedelta(days=1)).isoformat()
    r = client.post(f"{url}/conferences", json={"scheduled_at": past, "agencies": ["police"]}, headers=h)
    assert (r.status_code, r.json()["detail"]) == (
        422,
        "scheduled_at: a conference cannot be scheduled in the past",
    )
    future = (seed.now + timedelta(days=3)).isoformat()
    yesterday = (seed.now - timedelta(days=2)).date().isoformat()
    r = client.post(
        f"{url}/conferences", json={"scheduled_at": future, "agencies": ["police"], "follow_up_date": yesterday},
        headers=h,
    )  # fmt: skip
    assert (r.status_code, r.json()["detail"]) == (422, "follow_up_date: a review date cannot be in the past")
    r = client.post(f"{url}/review-date", json={"review_date": yesterday}, headers=h)
    assert (r.status_code, r.json()["detail"]) == (422, "review_date: a review date cannot be in the past")
    before_opening = (seed.now - timedelta(days=10)).date().isoformat()
    r = client.post(
        f"{url}/plan-items", json={"action": "Пособие", "responsible_agency": "social", "due_date": before_opening},
        headers=h,
    )  # fmt: skip
    assert (r.status_code, r.json()["detail"]) == (
        422,
        "due_date: a plan item cannot be due before the case opened",
    )
    assert (
        client.post(
            f"{url}/conferences", json={"scheduled_at": future, "agencies": ["police"]}, headers=h
        ).status_code
        == 201
    )


def test_curator_of_another_municipality_needs_confirmation_and_stages_follow_the_model(
    make_client: Callable[..., TestClient], seed: Seed, coord: str
) -> None:
    local = seed.user("local", "curator", municipality=MUNI_A)
    other = seed.user("other", "curator", municipality=MUNI_B)
    case_id = seed.case()
    client = make_client()
    h = bearer(client, "coord")
    url = f"/api/v1/cases/{case_id}"
    assert client.get(url, headers=h).json()["stages"] == {"current": "new", "allowed": ["acknowledged"]}
    client.post(f"{url}/acknowledge", headers=h)
    r = client.post(f"{url}/curator", json={"curator_id": other}, headers=h)
    assert r.status_code == 422
    assert r.json()["detail"].startswith("confirm_other_municipality:")
    r = client.post(f"{url}/curator", json={"curator_id": coord}, headers=h)
    assert r.status_code == 422  # the regional coordinator has no municipality: also a confirmation
    r = client.post(
        f"{url}/curator", json={"curator_id": other, "confirm_other_municipality": True}, headers=h
    )
    assert r.json()["curator_id"] == other
    r = client.post(f"{url}/curator", json={"curator_id": local}, headers=h)
    assert r.json()["curator_id"] == local
    stages = client.get(url, headers=h).json()["stages"]
    assert stages == {"current": "assessment",
                      "allowed": ["conference_scheduled", "support_plan", "monitoring"]}  # fmt: skip
