# SPDX-License-Identifier: EUPL-1.2
"""Related occupations: curated career steps, same ISCO-08 group, and shared skills."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vum.register.normalize import fold, fold_many

if TYPE_CHECKING:
    from vum.register.model import Occupation

# Strengths per kind of link. Curated links are the strongest by construction: a mediator or
# domain expert said so. The ISCO bands follow the classification's granularity; shared skills
# add to a band (never beyond it) or stand alone when that is all there is.
CURATED = 0.9
SAME_UNIT_GROUP = 0.6
SAME_MINOR_GROUP = 0.4
SKILLS_BONUS = 0.1  # × Jaccard, on top of the bands above
SKILLS_ONLY = 0.35  # × Jaccard, when only skills connect the two (stays below a minor group)
#: How many shared skills a reason names.
REASON_SKILLS = 3


@dataclass(frozen=True, slots=True)
class Related:
    """An occupation related to another one, with a strength 0..1 and a short Dutch reason."""

    occupation: Occupation
    strength: float
    reason: str


class RelatedIndex:
    """What relating occupations needs, computed once per register (`Register.related_index`)."""

    def __init__(self, occupations: Sequence[Occupation]) -> None:
        self.occupations: tuple[Occupation, ...] = tuple(occupations)
        # Skills folded, so "Heftruck" and "heftruck" are one skill across files written by
        # different people.
        folded = iter(fold_many([s for o in self.occupations for s in o.skills]))
        self.skills: dict[str, frozenset[str]] = {
            o.uri: frozenset(" ".join(next(folded)) for _ in o.skills) for o in self.occupations
        }
        by_key = {o.key: o for o in self.occupations}
        # Curated links are symmetric: B listed in A means A is related to B too.
        self.curated: dict[str, set[str]] = {o.uri: set() for o in self.occupations}
        for occ in self.occupations:
            for key in occ.related_keys:
                other = by_key.get(key)
                if other is not None and other.uri != occ.uri:
                    self.curated[occ.uri].add(other.uri)
                    self.curated[other.uri].add(occ.uri)

    def related(self, occ: Occupation, limit: int = 10) -> list[Related]:
        """Occupations related to `occ`, strongest first (ties by label)."""
        if limit <= 0:
            return []
        curated = self.curated.get(occ.uri, set())
        mine = self.skills.get(occ.uri, frozenset())
        found: list[Related] = []
        for other in self.occupations:
            if other.uri == occ.uri:
                continue
            theirs = self.skills[other.uri]
            shared = mine & theirs
            jaccard = len(shared) / len(mine | theirs) if shared else 0.0
            if other.uri in curated:
                strength, reason = CURATED, "loopbaanstap"
            elif occ.isco and other.isco == occ.isco:
                strength, reason = SAME_UNIT_GROUP, f"zelfde beroepsgroep (ISCO {occ.isco})"
            elif occ.broader and other.broader == occ.broader:
                strength, reason = SAME_MINOR_GROUP, f"verwante beroepsgroep (ISCO {occ.broader})"
            elif shared:
                strength, reason = 0.0, ""
            else:
                continue
            if strength:
                strength += SKILLS_BONUS * jaccard
            else:
                strength = SKILLS_ONLY * jaccard
            if shared:
                # Named as written in `occ`, in its order, not in folded form.
                names = [s for s in occ.skills if fold(s) in shared][:REASON_SKILLS]
                skills = "gedeelde vaardigheden: " + ", ".join(names)
                reason = f"{reason}; {skills}" if reason else skills
            found.append(Related(other, round(min(strength, 1.0), 3), reason))
        found.sort(key=lambda r: (-r.strength, r.occupation.label.casefold()))
        return found[:limit]
