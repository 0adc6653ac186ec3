"""Dashboard statistics and the /metrics case gauges, from the store on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.api import MUNI_A, MUNI_B, Seed, bearer

pytestmark = pytest.mark.integration


def test_statistics_and_gauges(make_client: Callable[..., TestClient], seed: Seed) -> None:
    seed.user("coord", "coordinator")
    overdue = seed.case(level="urgent", deadline_in=timedelta(minutes=-10), agencies=("police", "health"))
    seed.case(level="normal", municipality=MUNI_B, agencies=("education",))
    closing = seed.case(level="high")
    client = make_client()
    h = bearer(client, "coord")
    client.post(f"/api/v1/cases/{closing}/acknowledge", headers=h)
    client.post(
        f"/api/v1/cases/{closing}/close", json={"outcome": "family_preserved", "confirm": True}, headers=h
    )

    s = client.get("/api/v1/stats", headers=h).json()
    today = s["days"][-1]
    assert sum(s["signals_by_agency"]["police"]) == 2
    assert sum(s["signals_by_agency"]["health"]) == 1
    assert len(s["days"]) == 30
    assert today == seed.now.astimezone(ZoneInfo("Asia/Novosibirsk")).date().isoformat()  # the region's day
    assert s["open_by_priority"] == {"urgent": 1, "normal": 1}
    assert s["open_by_status"] == {"new": 2}
    assert s["acknowledged_count"] == 1
    assert s["median_ack_hours"] is not None
    assert s["outcomes_by_month"]["family_preserved"][-1] == 1
    assert s["open_by_municipality"] == {MUNI_A: 1, MUNI_B: 1}
    one = client.get("/api/v1/stats", params={"municipality": MUNI_B}, headers=h).json()
    assert one["open_by_priority"] == {"normal": 1}

    metrics = client.get("/metrics").text
    assert 'signalhub_cases_open{priority="urgent"} 1.0' in metrics
    assert 'signalhub_cases_open{priority="high"} 0.0' in metrics
    assert 'signalhub_acknowledgements_overdue{priority="urgent"} 1.0' in metrics
    assert overdue not in metrics
    assert client.get("/healthz").text == "ok\n"
    assert client.get("/readyz").status_code == 200
    dashboard = client.get("/ui/dashboard")  # not logged in on the web: to the login page
    assert dashboard.url.path == "/ui/login"
