"""Review of possible person matches: confirm the link, or split it off into a new person.

Intake leaves a possible match a person of its own and names the candidate in the link's evidence
(`{"candidate": person id}`): a confirm merges that provisional person into the candidate (its
mentions, keys and the values the candidate lacked), a split just records the decision. A link
without a candidate (one that joined the person, as intake once did) is split by creating a
person from what the signal itself said (its payload), kept in the case's family. Either way the
reviewed link is a labelled pair (`labelled_pairs`): its per-field levels and the decision.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from services.api.actions.common import Ctx, InvalidInputError, lock_case, record
from signalhub.domain.case_events import CaseEventKind as Ev
from signalhub.domain.linkage import PersonRecord, blocking_keys, normalise
from signalhub.domain.linkage.person_view import FILLABLE, fill
from signalhub.store.case_reads import surviving_case_id
from signalhub.store.cases import Case
from signalhub.store.registry import Person, PersonKey, Signal, SignalPerson

REVIEWABLE = ("none", "pending")


def _pending_link(ctx: Ctx, link_id: str) -> tuple[SignalPerson, Signal, Case]:
    row = ctx.session.execute(
        select(SignalPerson, Signal)
        .join(Signal, Signal.id == SignalPerson.signal_id)
        .where(SignalPerson.id == link_id)
    ).first()
    if row is None or row[1].case_id is None:
        raise InvalidInputError("link_id: no such person link")
    link, signal = row
    # A signal of a merged case is reviewed on the case it was merged into.
    case = lock_case(ctx, surviving_case_id(ctx.session, row[1].case_id))
    if link.band != "possible" or link.review_status not in REVIEWABLE:
        raise InvalidInputError("this link is not awaiting review")
    return link, signal, case


def candidate_of(link: SignalPerson) -> str | None:
    """The person a possible match may be, as intake named it in the link's evidence."""
    for item in link.evidence or []:
        if isinstance(item, dict) and isinstance(item.get("candidate"), str):
            return str(item["candidate"])
    return None


def confirm_match(ctx: Ctx, link_id: str) -> SignalPerson:
    link, _signal, case = _pending_link(ctx, link_id)
    candidate = candidate_of(link)
    if candidate is not None and candidate != link.person_id:
        _merge_person(ctx, link.person_id, candidate)
    link.review_status, link.reviewed_by, link.reviewed_at = "confirmed", ctx.who.id, ctx.now
    record(ctx, case, Ev.MATCH_CONFIRMED, {"link_id": link.id, "person_id": link.person_id})
    return link


def _merge_person(ctx: Ctx, provisional_id: str, target_id: str) -> None:
    """The provisional person's mentions and keys move to `target`, which takes the values it
    lacked; the provisional person is removed."""
    provisional, target = ctx.session.get(Person, provisional_id), ctx.session.get(Person, target_id)
    if provisional is None or target is None:
        raise InvalidInputError("no such person link")
    session = ctx.session
    for mention in session.scalars(select(SignalPerson).where(SignalPerson.person_id == provisional_id)):
        mention.person_id = target_id
    held = set(session.scalars(select(PersonKey.key).where(PersonKey.person_id == target_id)))
    for key in session.scalars(select(PersonKey).where(PersonKey.person_id == provisional_id)).all():
        if key.key not in held:
            session.add(PersonKey(key=key.key, person_id=target_id))
        session.delete(key)
    written = _record_of(provisional)
    changes = fill({name: getattr(target, name) for name in FILLABLE}, written, normalise(written))
    for name, value in changes.items():
        setattr(target, name, value)
    session.flush()
    session.delete(provisional)


def _as_written(signal: Signal, role: str, current: Person) -> dict[str, Any]:
    """The signal's own record of the person: the mention of `role` closest to `current`."""
    payload = signal.payload or {}
    people = [p for p in [*payload.get("children", []), *payload.get("adults", [])] if p.get("role") == role]
    if not people:
        return {}

    def closeness(p: dict[str, Any]) -> int:
        born = current.birth_date.isoformat() if current.birth_date else None
        return (str(p.get("birth_date")) == born) + (p.get("surname") == current.surname)

    return max(people, key=closeness)


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def split_match(ctx: Ctx, link_id: str) -> Person:
    """A new person for this mention, indexed by its blocking keys so later signals can reach it."""
    link, signal, case = _pending_link(ctx, link_id)
    current = ctx.session.get(Person, link.person_id)
    if current is None:
        raise InvalidInputError("no such person link")
    if candidate_of(link) is not None:  # a person of its own already: the decision is the change
        link.review_status, link.reviewed_by, link.reviewed_at = "split", ctx.who.id, ctx.now
        record(ctx, case, Ev.MATCH_SPLIT, {"link_id": link.id, "to_person_id": current.id})
        return current
    written = _as_written(signal, link.role, current)
    address = (signal.payload or {}).get("address") or {}
    person = Person(
        family_id=case.family_id,
        surname=written.get("surname"),
        first_name=written.get("first_name"),
        patronymic=written.get("patronymic"),
        birth_date=_date(written.get("birth_date")),
        sex=written.get("sex"),
        snils=None,
        birth_cert=None,
        address=address.get("text") if isinstance(address, dict) else None,
        created_at=ctx.now,
    )
    ctx.session.add(person)
    ctx.session.flush()
    keys = blocking_keys(normalise(_record_of(person)))
    ctx.session.add_all(PersonKey(key=key, person_id=person.id) for key in sorted(keys))
    old = link.person_id
    link.person_id = person.id
    link.review_status, link.reviewed_by, link.reviewed_at = "split", ctx.who.id, ctx.now
    record(ctx, case, Ev.MATCH_SPLIT, {"link_id": link.id, "from_person_id": old, "to_person_id": person.id})
    return person


def _record_of(person: Person) -> PersonRecord:
    sex = person.sex if person.sex in ("M", "F") else None
    return PersonRecord(
        record_id=person.id,
        surname=person.surname,
        first_name=person.first_name,
        patronymic=person.patronymic,
        birth_date=person.birth_date,
        sex=sex,  # type: ignore[arg-type]
        snils=person.snils,
        birth_cert=person.birth_cert,
        address=person.address,
    )
