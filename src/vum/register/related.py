# SPDX-License-Identifier: EUPL-1.2
"""Related occupations: curated career steps, same ISCO-08 group, and shared skills."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vum.register.normalize import fold

if TYPE_CHECKING:
    from vum.register.model import Occupation, Register

# Strengths per kind of link. Curated links are the strongest by construction: a mediator or
# domain expert said so. The ISCO bands follow the classification's granularity; shared skills
# add to a band (never beyond it) or stand alone when that is all there is.
CURATED = 0.9
SAME_UNIT_GROUP = 0.6
SAME_MINOR_GROUP = 0.4
SKILLS_BONUS = 0.1  # × Jaccard, on top of the bands above
SKILLS_ONLY = 0.5  # × Jaccard, when only skills connect the two
#: How many shared skills a reason names.
REASON_SKILLS = 3


@dataclass(frozen=True, slots=True)
class Related:
    """An occupation related to another one, with a strength 0..1 and a short Dutch reason."""

    occupation: Occupation
    strength: float
    reason: str


def related_occupations(register: Register, occ: Occupation, limit: int = 10) -> list[Related]:
    """Occupations related to `occ`, strongest first (ties by label)."""
    if limit <= 0:
        return []
    curated = {o.uri for o in register.related_to(occ)}
    # Curated links are symmetric: B listed in A means A is related to B too.
    curated.update(o.uri for o in register if occ.key in o.related_keys)
    my_skills = _skill_set(occ)
    found: list[Related] = []
    for other in register:
        if other.uri == occ.uri:
            continue
        shared = sorted(my_skills & _skill_set(other))
        union = len(my_skills | _skill_set(other))
        jaccard = len(shared) / union if union else 0.0
        reasons: list[str] = []
        if other.uri in curated:
            strength = CURATED + SKILLS_BONUS * jaccard
            reasons.append("loopbaanstap")
        elif occ.isco and other.isco == occ.isco:
            strength = SAME_UNIT_GROUP + SKILLS_BONUS * jaccard
            reasons.append(f"zelfde beroepsgroep (ISCO {occ.isco})")
        elif occ.broader and other.broader == occ.broader:
            strength = SAME_MINOR_GROUP + SKILLS_BONUS * jaccard
            reasons.append(f"verwante beroepsgroep (ISCO {occ.broader})")
        elif shared:
            strength = SKILLS_ONLY * jaccard
        else:
            continue
        if shared:
            names = _display_skills(occ, shared)
            reasons.append("gedeelde vaardigheden: " + ", ".join(names[:REASON_SKILLS]))
        found.append(Related(other, round(min(strength, 1.0), 3), "; ".join(reasons)))
    found.sort(key=lambda r: (-r.strength, r.occupation.label.casefold()))
    return found[:limit]


def _skill_set(occ: Occupation) -> set[str]:
    # Folded, so "Heftruck" and "heftruck" are one skill across files written by different people.
    return {fold(s) for s in occ.skills}


def _display_skills(occ: Occupation, shared: list[str]) -> list[str]:
    """The shared skills as written in `occ` (its order), not in folded form."""
    wanted = set(shared)
    return [s for s in occ.skills if fold(s) in wanted]
