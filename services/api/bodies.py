"""Request and response bodies of the JSON API (pydantic at the edge only)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, Field


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    role: str
    display_name: str


class StatusBody(BaseModel):
    status: str


class CuratorBody(BaseModel):
    curator_id: str
    confirm_other_municipality: bool = False


class ConferenceBody(BaseModel):
    scheduled_at: AwareDatetime
    agencies: list[str] = Field(min_length=1)
    protocol: str | None = Field(default=None, max_length=20000)
    recommendations: str | None = Field(default=None, max_length=20000)
    follow_up_date: date | None = None


class PlanItemBody(BaseModel):
    action: str = Field(min_length=1, max_length=2000)
    responsible_agency: str
    due_date: date


class PlanStatusBody(BaseModel):
    status: str


class ReviewDateBody(BaseModel):
    review_date: date


class CloseBody(BaseModel):
    outcome: str
    confirm: bool = False
    reason: str | None = Field(default=None, max_length=2000)


class ReopenBody(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class MergeBody(BaseModel):
    source_case_number: str = Field(min_length=1, max_length=32)
    confirm: bool = False
    reason: str | None = Field(default=None, max_length=2000)


class SplitBackBody(BaseModel):
    confirm: bool = False
    reason: str | None = Field(default=None, max_length=2000)


class CaseOut(BaseModel):
    id: str
    number: str
    status: str
    outcome: str | None
    priority_level: str
    priority_score: int
    municipality_code: str
    agencies: list[str]
    opened_at: datetime
    ack_deadline: datetime | None
    acknowledged_at: datetime | None
    review_date: date | None
    curator_id: str | None


class CaseListItemOut(CaseOut):
    """A row of the case queue: the case, its curator's display name, and whether it is overdue."""

    curator_name: str | None
    overdue: bool
