# SPDX-License-Identifier: EUPL-1.2
"""The adapter-kit example runs as its own process and answers as a VUM source over real HTTP."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.api.http import free_port, vum_headers
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "adapter_source.py"
OUR_OIN = "00000001234567890123"  # the OIN the example answers for


@pytest.fixture(scope="module")
def example_url() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLE), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"the example exited with {process.returncode}:\n{output}")
            try:
                httpx.get(url + "/docs", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("the example did not start within 30 s")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def _headers(**overrides: str | None) -> dict[str, str]:
    return vum_headers(**{"X-VUM-toParty": OUR_OIN, **overrides})


def test_example_answers_a_query(example_url: str) -> None:
    query = {
        "vraagObject": {
            "selectiegebied": {"postcode": "1012AB", "afstand": 30},
            "bemiddelingsberoep": {
                "$elemMatch": {
                    "$or": [
                        {"beroep.codeBeroepsnaam": {"$eq": "https://data.openvum.nl/id/beroep/kok"}}
                    ]
                }
            },
        }
    }
    headers = _headers(**{"X-OpenVUM-Explain": "1"})
    response = httpx.post(
        example_url + "/api/v3/werkzoekendeProfielen/matches", json=query, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["X-VUM-fromParty"] == OUR_OIN
    body = response.json()
    assert body["matches"], "the example's made-up database has cooks near Amsterdam"
    assert len(body["x-openvum-ranking"]) == len(body["matches"])
    distances = [entry["afstandKm"] for entry in body["x-openvum-ranking"]]
    assert distances == sorted(distances) and distances[-1] <= 30
    for match in body["matches"]:
        assert match["bemiddelingsberoep"] == [
            {"codeBeroepsnaam": "https://data.openvum.nl/id/beroep/kok"}
        ]
        assert "contactpersoon" not in match and "indicatieLdrRegistratie" not in match


def test_example_detail_follows_its_suwi_policy(example_url: str) -> None:
    url = example_url + "/api/v3/werkzoekendeProfielen/K00001"
    suwi = httpx.get(url, headers=_headers(**{"X-VUM-SUWIparty": "true"}))
    other = httpx.get(url, headers=_headers(**{"X-VUM-SUWIparty": "false"}))
    assert suwi.status_code == other.status_code == 200
    assert suwi.json()["idWerkzoekende"] == "K00001"
    assert "indicatieLdrRegistratie" in suwi.json()
    assert "indicatieLdrRegistratie" not in other.json()
    assert suwi.json()["contactpersoon"]


def test_example_refuses_what_the_contract_refuses(example_url: str) -> None:
    api = example_url + "/api/v3"
    unknown_party = httpx.get(api + "/werkzoekendeProfielen/K00001", headers=vum_headers())
    assert unknown_party.json()["code"] == "400.01"
    unknown_id = httpx.get(api + "/werkzoekendeProfielen/K99999", headers=_headers())
    assert unknown_id.json()["code"] == "400.01"
    missing = httpx.get(
        api + "/werkzoekendeProfielen/K00001", headers=_headers(**{"API-Version": None})
    )
    assert missing.json()["code"] == "400.02"
    # The example serves profiles only.
    vacancies = httpx.post(api + "/vacatures/matches", json={"vraagObject": {}}, headers=_headers())
    assert vacancies.status_code == 404
