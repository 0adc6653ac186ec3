"""``Household``: family members as corroboration of a near birth date.

A signal names a child with their mother, father or siblings. When a record's birth date is a
day or a digit off a candidate's (``uncorroborated_date``), a namesake is as likely as a typo,
unless something else agrees: an identifier, the house, or the family. The family agrees when
one of the other people named with the record (``relatives``) matches, on their own evidence,
a member of the candidate's family (``members_of``): the same mother or father, a brother or a
sister. That lifts the limit the near date set; it adds no weight (the relative's own match is
the evidence, and it is shown as ``family: agrees``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from signalhub.domain.linkage.compare import TermFrequencies, score
from signalhub.domain.linkage.config import LinkageConfig, classify
from signalhub.domain.linkage.model import Band, NormalisedPerson

__all__ = ["Household", "MembersOf"]

MembersOf = Callable[[str], Iterable[NormalisedPerson]]
"""person id -> the other members of that person's family, as the linker sees them."""


class Household:
    """The other people named with a record, and where a candidate's family members come from."""

    def __init__(
        self,
        relatives: Sequence[NormalisedPerson],
        members_of: MembersOf,
        config: LinkageConfig,
        frequencies: TermFrequencies | None = None,
    ) -> None:
        self.relatives, self._members_of = relatives, members_of
        self._config, self._frequencies = config, frequencies

    def agrees(self, person_id: str) -> bool:
        """True when a relative is, by their own match, a member of ``person_id``'s family."""
        if not self.relatives:
            return False
        cfg = self._config
        for member in self._members_of(person_id):
            for relative in self.relatives:
                value, rule = score(relative, member, cfg, self._frequencies)
                if classify(value, cfg.thresholds, rule) is Band.MATCH:
                    return True
        return False
