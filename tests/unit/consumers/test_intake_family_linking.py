"""Intake's linker within one batch: persons named together earlier in the batch are a family
before the batch places families, so a mother named with a child corroborates the child's near
birth date there too (the stored-family path is tested through real intake in test_one_linker)."""

from __future__ import annotations

from datetime import UTC, datetime

from consumers.intake.linking import People
from signalhub.domain.linkage import Band, default_config
from signalhub.domain.vocabulary import PersonRole
from signalhub.store.intake_rows import Changes
from tests.unit.domain.test_linkage_family import EGOR, EGOR_TYPED, MOTHER, MOTHER_AGAIN, OTHER_MOTHER

NOW = datetime(2025, 6, 1, tzinfo=UTC)
CHILD, MOTHER_ROLE = PersonRole.CHILD, PersonRole.MOTHER


def test_a_mother_named_earlier_in_the_batch_corroborates_her_childs_near_birth_date() -> None:
    people = People({}, {}, default_config(), Changes())
    child, mother = people.link_signal([(CHILD, EGOR), (MOTHER_ROLE, MOTHER)], NOW)
    again, mother_again = people.link_signal([(CHILD, EGOR_TYPED), (MOTHER_ROLE, MOTHER_AGAIN)], NOW)
    assert (again.person_id, mother_again.person_id) == (child.person_id, mother.person_id)
    assert again.decision.band is Band.MATCH
    assert ("family", "agrees") in {(e.field, e.level) for e in again.decision.evidence}


def test_another_mother_in_the_batch_does_not_corroborate() -> None:
    people = People({}, {}, default_config(), Changes())
    child, _ = people.link_signal([(CHILD, EGOR), (MOTHER_ROLE, MOTHER)], NOW)
    other, _ = people.link_signal([(CHILD, EGOR_TYPED), (MOTHER_ROLE, OTHER_MOTHER)], NOW)
    assert (other.person_id != child.person_id, other.decision.band) == (True, Band.POSSIBLE)
