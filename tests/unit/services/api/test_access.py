"""The access policy as a pure function of role, scope and case."""

from __future__ import annotations

import pytest

from services.api.access import ForbiddenError, NotFoundError, Principal, Role, may_read, require_act
from signalhub.store.cases import Case


def _case(
    municipality: str = "111", agencies: tuple[str, ...] = ("police",), curator: str | None = None
) -> Case:
    return Case(id="c1", municipality_code=municipality, agencies=list(agencies), curator_id=curator)


def _who(
    role: Role, municipality: str | None = None, agency: str | None = None, uid: str = "u1"
) -> Principal:
    return Principal(uid, "x", role, "X", municipality, agency)


def test_scope_of_each_role() -> None:
    assert may_read(_who(Role.COORDINATOR), _case())
    assert may_read(_who(Role.CURATOR, "111"), _case("111"))
    assert not may_read(_who(Role.CURATOR, "222"), _case("111"))
    assert may_read(_who(Role.CURATOR, "222", uid="cur"), _case("111", curator="cur"))
    assert may_read(_who(Role.LIAISON, agency="police"), _case())
    assert not may_read(_who(Role.LIAISON, agency="health"), _case())
    assert not may_read(_who(Role.OPERATOR), _case())


def test_who_may_act() -> None:
    assert require_act(_who(Role.CURATOR, "111"), _case("111"))
    with pytest.raises(ForbiddenError):
        require_act(_who(Role.LIAISON, agency="police"), _case())
    with pytest.raises(ForbiddenError):
        require_act(_who(Role.CURATOR, "111"), _case("111"), coordinator_only=True)
    with pytest.raises(NotFoundError):
        require_act(_who(Role.CURATOR, "222"), _case("111"))
    with pytest.raises(NotFoundError):
        require_act(_who(Role.COORDINATOR), None)
