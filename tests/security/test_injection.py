# SPDX-License-Identifier: EUPL-1.2
"""Injection strings in every place a caller controls: the vraagObject, path parameters, headers, raw bodies.

Every answer must be a contract answer (never a 500), a refusal must be the contract's 400
naming the place (its JSON pointer or header), and no hostile string may come back unencoded:
answers are JSON (``nosniff``), so a string that JSON must escape never appears raw.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.security.inputs import (
    INJECTIONS,
    OPERATORS,
    RAW_BODIES,
    encode,
    pointer,
    set_at,
)
from tests.security.tally import count
from tests.security.world import World
from vum.standard import Kind

OCCUPATION = "https://data.openvum.nl/id/beroep/intern-begeleider"
BASE: dict[Kind, dict[str, Any]] = {
    Kind.WERKZOEKENDE: {
        "selectiegebied": {"postcode": "3511AB", "afstand": 50},
        "bemiddelingsberoep": {
            "$elemMatch": {"$or": [{"beroep.codeBeroepsnaam": {"$eq": OCCUPATION}}]}
        },
        "contractvorm": {"$elemMatch": {"$or": [{"codeTypeArbeidscontract": {"$eq": "B"}}]}},
        "arbeidsmarktkwalificatie.rijbewijs": {
            "$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": "B"}}}]
        },
        "arbeidsmarktkwalificatie.taalbeheersing": {
            "$all": [
                {
                    "$elemMatch": {
                        "codeTaal": {"$eq": "nld"},
                        "codeNiveauTaalbeheersingMondeling": {"$gte": 2},
                    }
                }
            ]
        },
        "datumAanvangBeschikbaarVoorWerk": {"$lte": "2027-01-01"},
        "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst": {"$eq": 1},
        "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 20},
        "$text": {"$search": "magazijn"},
        "x-openvum": {"beroepen": [OCCUPATION]},
    },
    Kind.VACATURE: {
        "selectiegebied": {"postcode": "3511AB", "afstand": 50},
        "beroep.codeBeroepsnaam": {"$eq": OCCUPATION},
        "codeWerkEnDenkniveauMinimaal": {"$gte": "3", "$lt": "7"},
        "datumAanvangWerkzaamheden": {"$gte": "2026-01-01"},
        "rijbewijs": {"$all": [{"$elemMatch": {"codeSoortRijbewijs": {"$eq": "B"}}}]},
        "taalbeheersing": {"$all": [{"$elemMatch": {"codeTaal": {"$eq": "nld"}}}]},
        "werktijden.aantalWerkurenPerWeekMinimaal": {"$lte": 40},
        "$text": {"$search": "magazijn"},
    },
}
# (path in the vraagObject, strict): a strict place has a pattern, a code list, a number or a
# date, so every hostile value is a 400 naming it; the others are free text (an occupation URI
# is any String200, $text any text), where a hostile string is just text that matches nothing.
W, V = Kind.WERKZOEKENDE, Kind.VACATURE
PLACES: dict[Kind, list[tuple[tuple[str | int, ...], bool]]] = {
    W: [
        (("selectiegebied", "postcode"), True),
        (("selectiegebied", "afstand"), True),
        (("bemiddelingsberoep", "$elemMatch", "$or", 0, "beroep.codeBeroepsnaam", "$eq"), False),
        (("contractvorm", "$elemMatch", "$or", 0, "codeTypeArbeidscontract", "$eq"), True),
        (
            (
                "arbeidsmarktkwalificatie.rijbewijs",
                "$all",
                0,
                "$elemMatch",
                "codeSoortRijbewijs",
                "$eq",
            ),
            True,
        ),
        (
            ("arbeidsmarktkwalificatie.taalbeheersing", "$all", 0, "$elemMatch", "codeTaal", "$eq"),
            True,
        ),
        (
            (
                "arbeidsmarktkwalificatie.taalbeheersing",
                "$all",
                0,
                "$elemMatch",
                "codeNiveauTaalbeheersingMondeling",
                "$gte",
            ),
            True,
        ),
        (("datumAanvangBeschikbaarVoorWerk", "$lte"), True),
        (("flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst", "$eq"), True),
        (("werktijden.aantalWerkurenPerWeekMaximaal", "$gte"), True),
        (("$text", "$search"), False),
        (("x-openvum", "beroepen", 0), False),
        (("onbekendGegeven",), False),
    ],
    V: [
        (("selectiegebied", "postcode"), True),
        (("beroep.codeBeroepsnaam", "$eq"), False),
        (("codeWerkEnDenkniveauMinimaal", "$gte"), True),
        (("datumAanvangWerkzaamheden", "$gte"), True),
        (("rijbewijs", "$all", 0, "$elemMatch", "codeSoortRijbewijs", "$eq"), True),
        (("taalbeheersing", "$all", 0, "$elemMatch", "codeTaal", "$eq"), True),
        (("werktijden.aantalWerkurenPerWeekMinimaal", "$lte"), True),
        (("$text", "$search"), False),
    ],
}
VALUES: list[tuple[str, Any]] = [*INJECTIONS, *OPERATORS]


def check_answer(response: httpx.Response, injected: Any = None) -> Any:
    """A contract answer: no 5xx; no body, or strict JSON served as JSON with nosniff (so a
    hostile string that comes back is inside a JSON string, encoded); never in a header."""
    assert response.status_code < 500, response.text[:500]
    assert response.headers.get("x-content-type-options") == "nosniff"
    body: Any = None
    if response.content:
        assert response.headers["content-type"].startswith("application/json")
        body = json.loads(response.content)  # strict: valid UTF-8 JSON, all strings encoded
    if isinstance(injected, str) and len(injected) > 3:
        assert injected not in str(response.headers)
    return body


def _call(world: World, app: str, kind: Kind, content: bytes) -> httpx.Response:
    if app == "source":
        url, headers = world.source_url, world.source_headers()
    else:
        url, headers = world.facility_url, world.facility_headers()
    headers = headers | {"Content-Type": "application/json"}
    return world.http.post(
        f"{url}/api/v3/{kind.resource}/matches", content=content, headers=headers
    )


@pytest.mark.parametrize("app", ["source", "facility"])
@pytest.mark.parametrize("kind", list(Kind), ids=[k.value for k in Kind])
def test_the_base_queries_are_valid(world: World, app: str, kind: Kind) -> None:
    response = _call(world, app, kind, encode({"vraagObject": BASE[kind]}))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("app", ["source", "facility"])
@pytest.mark.parametrize(
    ("kind", "path", "strict"),
    [(kind, path, strict) for kind, places in PLACES.items() for path, strict in places],
    ids=[f"{kind.value}:{pointer(path)}" for kind, places in PLACES.items() for path, _ in places],
)
def test_every_hostile_value_in_every_place_of_the_vraagobject(
    world: World, app: str, kind: Kind, path: tuple[str | int, ...], strict: bool
) -> None:
    where = "/vraagObject" + pointer(path)
    for name, value in VALUES:
        response = _call(world, app, kind, encode({"vraagObject": set_at(BASE[kind], path, value)}))
        body = check_answer(response, value)
        count("injection: hostile values in vraagObject places (x2 apps)")
        if name == "lone-surrogate":
            # Not text at all: refused by the JSON parser, which names the place in the body.
            assert response.status_code == 400 and body["code"] == "400.01", body
            assert "line 1 column" in body["details"], body
        elif strict:
            assert response.status_code == 400, (name, response.text)
            assert body["code"] == "400.01", (name, body)
            assert where in body["details"], (name, where, body)
        elif response.status_code == 400:
            assert body["code"] in ("400.01", "400.02")
            # the place itself, or the list it is an element of (x-openvum.beroepen)
            assert where.rsplit("/", 1)[0] in body["details"], (name, where, body)
        else:
            assert response.status_code == 200, (name, response.text[:300])


@pytest.mark.parametrize("app", ["source", "facility"])
def test_hostile_member_names(world: World, app: str) -> None:
    """As an unknown member inside the vraagObject (ignored), and beside it (refused, named)."""
    for name, value in INJECTIONS:
        inside = {"vraagObject": {**BASE[W], value: 1}}
        check_answer(_call(world, app, W, encode(inside)), value)
        response = _call(world, app, W, encode({"vraagObject": BASE[W], value: 1}))
        body = check_answer(response, value)
        # VUM: the profiles contracts allow nothing beside vraagObject.
        assert response.status_code == 400 and body["code"] == "400.01", name
        count("injection: hostile member names (x2 apps)", 2)


@pytest.mark.parametrize("app", ["source", "facility"])
def test_raw_bodies_that_are_not_utf8_or_not_json(world: World, app: str) -> None:
    for name, raw in RAW_BODIES:
        response = _call(world, app, W, raw)
        body = check_answer(response)
        assert response.status_code == 400, (name, response.text)
        assert body["code"] in ("400.01", "400.02"), name
        count("injection: raw non-UTF-8 / non-JSON bodies (x2 apps)")


@pytest.mark.parametrize("app", ["source", "facility"])
def test_hostile_path_parameters(world: World, app: str) -> None:
    """idWerkzoekende/idVacature at the source and vumID at the facility: 400.01 naming them."""
    for kind in Kind:
        name = kind.id_field if app == "source" else "vumID"
        base = world.source_url if app == "source" else world.facility_url
        headers = world.source_headers() if app == "source" else world.facility_headers()
        for label, value in INJECTIONS:
            # A lone surrogate as its CESU-8 bytes: a URL cannot carry it otherwise.
            encoded = "%ED%A0%80" if label == "lone-surrogate" else quote(value, safe="")
            for path in (encoded, f"{encoded}%2F..%2F..", f"x%00{encoded}"):
                response = world.http.get(f"{base}/api/v3/{kind.resource}/{path}", headers=headers)
                body = check_answer(response, value)
                assert response.status_code == 400, (label, path, response.status_code)
                assert body["code"] == "400.01" and f"/{name}" in body["details"], body
                count("injection: hostile path parameters (x2 apps)")


_PARTY_HEADERS = ["X-VUM-fromParty", "X-VUM-toParty", "X-VUM-viaParty", "X-VUM-berichtVersie"]


# The facility takes SUWI status from its registry, not from a header: X-VUM-SUWIparty is the source's.
_HEADERS = [
    *[("source", h) for h in [*_PARTY_HEADERS, "X-VUM-SUWIparty", "API-Version"]],
    *[("facility", h) for h in [*_PARTY_HEADERS, "API-Version"]],
]


@pytest.mark.parametrize(("app", "header"), _HEADERS, ids=[f"{a}-{h}" for a, h in _HEADERS])
def test_hostile_vum_headers(world: World, app: str, header: str) -> None:
    """A header the caller controls never brings a 5xx, never lets a call in, is never echoed raw."""
    base = world.source_url if app == "source" else world.facility_url
    headers = world.source_headers() if app == "source" else world.facility_headers()
    body = encode({"vraagObject": BASE[W]})
    for label, value in INJECTIONS:
        raw = value.encode("utf-8", "surrogatepass")
        try:
            response = world.http.post(
                f"{base}/api/v3/{W.resource}/matches",
                content=body,
                headers={**headers, header: raw, "Content-Type": "application/json"},
            )
        except httpx.LocalProtocolError:
            # NUL, CR and LF cannot be put in a header at all (h11 refuses, as servers do).
            count("injection: hostile header values not sendable (refused by the client)")
            continue
        # A well-formed party id is echoed by design (the answer travels back); markup never is.
        check_answer(response)
        count("injection: hostile VUM header values (x2 apps)")
        # The certificate or the trusted processor decides who calls, never a header value. The
        # source serves whichever asker the facility carries (the facility checked it), so a
        # well-formed odd fromParty there is answered.
        allowed = {400, 401} | ({200} if (app, header) == ("source", "X-VUM-fromParty") else set())
        assert response.status_code in allowed, (label, response.status_code)
        for name in _PARTY_HEADERS:
            echoed = response.headers.get(name, "")
            assert not set(echoed) & set("<>\"'&\\`"), (label, name, echoed)
