# SPDX-License-Identifier: EUPL-1.2
"""Fixtures for the API tests: synthetic datasets, an in-memory backend and the hosted app."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.api.http import OTHER_SOURCE, SOURCE, AsgiClient
from vum.api import SourceSettings, create_source_app
from vum.api.memory import MemoryBackend
from vum.matching import Engine, build_engine
from vum.standard import Kind
from vum.synthetic import generate

TOKEN = "s3cret-upload-token-of-the-source"
OTHER_TOKEN = "another-token"
#: records per kind: more than 100 match a nationwide query (the 100-cap and the flag)
COUNT = 300
OTHER_COUNT = 20


@pytest.fixture(scope="session")
def dataset() -> dict[Kind, list[dict[str, Any]]]:
    return {kind: list(generate(kind, COUNT, seed=11)) for kind in Kind}


@pytest.fixture(scope="session")
def engines(dataset: dict[Kind, list[dict[str, Any]]]) -> dict[str, Engine]:
    """Engines are read-only: build them once and share them between fresh backends."""
    return {
        **{kind.value: build_engine(kind, records) for kind, records in dataset.items()},
        "other": build_engine(Kind.WERKZOEKENDE, dataset[Kind.WERKZOEKENDE][:OTHER_COUNT]),
    }


@pytest.fixture
def backend(dataset: dict[Kind, list[dict[str, Any]]], engines: dict[str, Engine]) -> MemoryBackend:
    """SOURCE holds profiles and vacancies; OTHER_SOURCE only 20 profiles."""
    memory = MemoryBackend({SOURCE: TOKEN, OTHER_SOURCE: OTHER_TOKEN})
    for kind, records in dataset.items():
        memory.load(SOURCE, kind, records, engine=engines[kind.value])
    profiles = dataset[Kind.WERKZOEKENDE][:OTHER_COUNT]
    memory.load(OTHER_SOURCE, Kind.WERKZOEKENDE, profiles, engine=engines["other"])
    return memory


@pytest.fixture
def app(backend: MemoryBackend) -> FastAPI:
    return create_source_app(backend, settings=SourceSettings(warm_up=False))


@pytest.fixture
def client(app: FastAPI) -> AsgiClient:
    return AsgiClient(app)
