"""Downloads of the practice's measures by municipality and month (CSV and XLSX) for the regional
report. Aggregates only, like the dashboard: every signed-in role may download them."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from services.api.deps import DbSession, Svc, WebAuth
from services.api.queries import practice

router = APIRouter(prefix="/ui/reports", include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/practice.csv")
def practice_csv(svc: Svc, session: DbSession, auth: WebAuth, municipality: str = "") -> Response:
    rows = practice.measures(session, svc.region.zone, municipality=municipality or None)
    return Response(
        practice.to_csv(rows), media_type="text/csv; charset=utf-8", headers=_attachment("practice.csv")
    )


@router.get("/practice.xlsx")
def practice_xlsx(svc: Svc, session: DbSession, auth: WebAuth, municipality: str = "") -> Response:
    rows = practice.measures(session, svc.region.zone, municipality=municipality or None)
    body = practice.to_xlsx(rows, svc.clock().astimezone(svc.region.zone))
    return Response(body, media_type=XLSX, headers=_attachment("practice.xlsx"))
