"""Statistics by the day signals occurred, and the practice's measures by municipality and month
(children by outcome, time to acknowledgement and to the first conference, share with a
conference), on the dashboard and as CSV and XLSX downloads."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import update

from signalhub.store.cases import Case, Conference
from signalhub.store.registry import Signal
from tests.fixtures.api import MUNI_A, MUNI_B, PASSWORD, Seed, bearer

Make = Callable[..., TestClient]


def test_signals_count_on_the_day_they_occurred(make: Make, db_seed: Seed) -> None:
    db_seed.user("coord", "coordinator")
    case = db_seed.case(agencies=("police",))
    with db_seed.session() as s:  # a nightly export read today of an incident ten days ago
        s.execute(
            update(Signal).where(Signal.case_id == case).values(occurred_at=db_seed.now - timedelta(days=10))
        )
        s.commit()
    client = make()
    stats = client.get("/api/v1/stats", headers=bearer(client, "coord")).json()
    assert stats["signals_by_agency"]["police"][-11:-9] != [0, 0]
    assert stats["signals_by_agency"]["police"][-1] == 0


def test_practice_measures_on_the_page_and_downloads(make: Make, db_seed: Seed) -> None:
    db_seed.user("coord", "coordinator")
    kept = db_seed.case(municipality=MUNI_A)
    placed = db_seed.case(municipality=MUNI_A)
    db_seed.case(municipality=MUNI_B)
    with db_seed.session() as s:
        opened = s.get_one(Case, kept).opened_at
        for case_id, outcome, ack_h in ((kept, "family_preserved", 2), (placed, "guardianship", 6)):
            row = s.get_one(Case, case_id)
            row.status, row.outcome = "closed", outcome
            row.acknowledged_at = opened + timedelta(hours=ack_h)
            row.closed_at = opened + timedelta(days=20)
        s.add(
            Conference(
                case_id=kept,
                scheduled_at=opened + timedelta(days=3),
                agencies=["police"],
                created_by="t",
                created_at=opened,
            )
        )
        s.commit()
    client = make()
    r = client.post("/ui/login", data={"username": "coord", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303

    page = client.get("/ui/dashboard").text
    row = re.search(r"<th scope=\"row\">г\. Новосибирск</th>(.*?)</tr>", page, re.DOTALL)
    assert row is not None
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.DOTALL)
    ]
    # month, cases, children: kept, returned, guardianship, foster, institution; ack h, conference days, share
    assert cells[1:] == ["2", "1", "0", "1", "0", "0", "4,0", "3,0", "50 %"]

    csv_text = client.get("/ui/reports/practice.csv").content.decode("utf-8-sig")
    lines = csv_text.split("\r\n")
    assert lines[0].startswith(
        "Муниципалитет;ОКТМО;Месяц открытия случаев;Случаев открыто;Детей: ребёнок сохранён в семье"
    )
    novosibirsk = next(line for line in lines if line.startswith("г. Новосибирск;"))
    assert novosibirsk.split(";")[1] == MUNI_A
    assert novosibirsk.split(";")[3:] == ["2", "1", "0", "1", "0", "0", "4,0", "3,0", "50,0"]

    xlsx = client.get("/ui/reports/practice.xlsx", params={"municipality": MUNI_B})
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][:4] == ("г. Бердск", MUNI_B, values[1][2], 1)
    assert values[1][-1] == 0  # numbers as numbers
    assert len([v for v in values if v and v[0] == "г. Новосибирск"]) == 0  # the filter holds
