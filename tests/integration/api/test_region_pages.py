"""Pages speak of the region: times in its zone (named on every page), municipalities by name
(with the OKTMO code where a specialist needs it), a filter that chooses by name."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.fixtures.api import MUNI_A, MUNI_B, PASSWORD, Seed

Make = Callable[..., TestClient]


def _web(make: Make, username: str) -> TestClient:
    client = make()
    r = client.post("/ui/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_pages_name_the_zone_and_municipalities(make: Make, db_seed: Seed) -> None:
    db_seed.user("coord", "coordinator")
    a = db_seed.case(level="urgent", municipality=MUNI_A)
    b = db_seed.case(level="normal", municipality=MUNI_B)
    client = _web(make, "coord")
    for path in (
        "/ui/",
        f"/ui/cases/{a}",
        "/ui/dashboard",
        "/ui/audit",
        "/ui/users",
        "/ui/ops",
        "/ui/matches",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "Asia/Novosibirsk, UTC+7" in _text(page.text), path

    queue = _text(client.get("/ui/").text)
    assert "г. Новосибирск" in queue
    assert "г. Бердск" in queue
    assert MUNI_A not in queue  # names, not codes, in the list and in the filter

    case = _text(client.get(f"/ui/cases/{a}").text)
    assert f"г. Новосибирск (ОКТМО {MUNI_A})" in case

    only_b = client.get("/ui/", params={"municipality": MUNI_B}).text
    assert f"/ui/cases/{b}" in only_b
    assert f"/ui/cases/{a}" not in only_b
    assert re.search(rf'<option value="{MUNI_B}" selected>г. Бердск</option>', only_b)

    dashboard = client.get("/ui/dashboard", params={"municipality": MUNI_B}).text
    assert "Статистика · г. Бердск" in _text(dashboard)
