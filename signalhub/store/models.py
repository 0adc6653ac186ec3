"""Every table, imported in one place so metadata is complete (Alembic, tests)."""

from signalhub.store.base import Base
from signalhub.store.cases import Case, CaseCounter, CaseEvent, Conference, PlanItem
from signalhub.store.messaging import Delivery, DeliveryDone, OutboxMessage, OutboxSent
from signalhub.store.registry import Family, InboxEntry, Person, PersonKey, Signal, SignalPerson
from signalhub.store.workplace import AuditEntry, LoginFailure, User, UserSession

__all__ = [
    "AuditEntry",
    "Base",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "Conference",
    "Delivery",
    "DeliveryDone",
    "Family",
    "InboxEntry",
    "LoginFailure",
    "OutboxMessage",
    "OutboxSent",
    "Person",
    "PersonKey",
    "PlanItem",
    "Signal",
    "SignalPerson",
    "User",
    "UserSession",
]
