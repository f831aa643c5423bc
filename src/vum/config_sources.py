# SPDX-License-Identifier: EUPL-1.2
"""Where settings come from (the config file, flat variables, ``*_FILE`` secrets) and how errors name them."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

#: the environment variable naming the config file when ``--config`` is not given
CONFIG_ENV = "VUM_CONFIG"
ENV_PREFIX = "VUM_"
ENV_DELIMITER = "__"
#: how a set secret is shown (``vum config show``, logs)
MASK = "**********"


class ConfigError(ValueError):
    """Settings that cannot be used; the message names the setting and where its value came from."""


def secret_fields(settings_cls: type[BaseModel]) -> Iterator[tuple[str, str, str]]:
    """``(section, setting, environment variable)`` of every secret of ``settings_cls``."""
    for section, name, info in _section_fields(settings_cls):
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get("secret"):
            yield section, name, str(extra["env"])


def _section_fields(settings_cls: type[BaseModel]) -> Iterator[tuple[str, str, FieldInfo]]:
    for section, info in settings_cls.model_fields.items():
        model = info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            for name, field in model.model_fields.items():
                yield section, name, field


def flat_env_names(settings_cls: type[BaseModel]) -> dict[tuple[str, str], str]:
    """The flat environment names (``VUM_DB``, the secrets) by ``(section, setting)``."""
    names = {}
    for section, name, info in _section_fields(settings_cls):
        extra = info.json_schema_extra
        if isinstance(extra, dict) and "env" in extra:
            names[section, name] = str(extra["env"])
    return names


def mask_url(url: str) -> str:
    """``url`` without its password (for logs and messages)."""
    return re.sub(r"^([a-zA-Z0-9+.-]+://[^:/@]*):[^@/]*@", rf"\1:{MASK}@", url)


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` when it is a PostgreSQL URL without one; else ``url`` as it is."""
    if not url.startswith("postgresql"):
        return url
    import sqlalchemy as sa  # only here: reading settings must not load SQLAlchemy

    parsed = sa.make_url(url)
    if parsed.password:
        return url
    return parsed.set(password=password).render_as_string(hide_password=False)


def env_config_path() -> Path | None:
    value = os.environ.get(CONFIG_ENV, "").strip()
    return Path(value) if value else None


# Generic over the settings model: a section is a nested model; a secret is a field whose
# ``json_schema_extra`` says ``secret`` and names its variable (``env``).


#: database URLs in the file: a password in one is refused (it belongs in $VUM_DB_PASSWORD)
_URL_SETTINGS = (("store", "url"), ("portal", "source_db"))


class FileSource(PydanticBaseSettingsSource):
    """The TOML (``.toml``) or YAML (``.yaml``/``.yml``) config file; refuses secrets in it."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self.path = path

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ reads the whole file at once

    def __call__(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"configuratiebestand {self.path} niet te lezen (cannot read the config file): "
                f"{exc.strerror}"
            ) from None
        try:
            if self.path.suffix in (".yaml", ".yml"):
                import yaml

                data = yaml.safe_load(text) or {}
            else:
                data = tomllib.loads(text)
        except Exception as exc:  # tomllib.TOMLDecodeError, yaml.YAMLError
            raise ConfigError(
                f"{self.path}: geen geldige TOML/YAML (not valid TOML/YAML): {exc}"
            ) from None
        if not isinstance(data, dict):
            raise ConfigError(f"{self.path}: verwacht secties (expected a mapping of sections)")
        for section, name, env in secret_fields(self.settings_cls):
            found = name in data or (isinstance(data.get(section), dict) and name in data[section])
            if found:
                raise ConfigError(
                    f"{self.path}: geheim {section}.{name} hoort niet in het configuratiebestand; "
                    f"zet het in ${env} of in een bestand genoemd door ${env}_FILE (secret "
                    f"{section}.{name} is refused in the config file: use ${env} or ${env}_FILE)"
                )
        for section, name in _URL_SETTINGS:
            table = data.get(section)
            url = table.get(name) if isinstance(table, dict) else None
            if isinstance(url, str) and mask_url(url) != url:
                raise ConfigError(
                    f"{self.path}: {section}.{name} bevat een wachtwoord; zet het in "
                    "$VUM_DB_PASSWORD of $VUM_DB_PASSWORD_FILE "
                    f"({section}.{name} holds a password: use the environment)"
                )
        return data


class FlatEnvSource(PydanticBaseSettingsSource):
    """``VUM_DB`` and the secrets: ``$NAME``, or the contents of the file named by ``$NAME_FILE``."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self.origins: dict[str, str] = {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        data: dict[str, dict[str, Any]] = {}
        secrets = {(s, n) for s, n, _ in secret_fields(self.settings_cls)}
        for (section, name), env in flat_env_names(self.settings_cls).items():
            value = os.environ.get(env, "").strip() or None
            origin = env
            file_name = (
                os.environ.get(f"{env}_FILE", "").strip() if (section, name) in secrets else ""
            )
            if file_name and value is not None:
                raise ConfigError(f"${env} en ${env}_FILE zijn allebei gezet (set one of them)")
            if file_name:
                try:
                    value = Path(file_name).read_text(encoding="utf-8").strip()
                except OSError as exc:
                    raise ConfigError(
                        f"${env}_FILE: {file_name} niet te lezen (cannot read it): {exc.strerror}"
                    ) from None
                origin = f"{env}_FILE ({file_name})"
            if value:
                data.setdefault(section, {})[name] = value
                self.origins[f"{section}.{name}"] = f"${origin}"
        return data


def flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from flatten(value, path + ".")
        else:
            yield path


def env_name(key: str) -> str:
    """The variable that set ``key``: the longest ``VUM_A__B`` prefix of it that is set."""
    parts = key.split(".")
    present = {name.upper() for name in os.environ}
    for end in range(len(parts), 0, -1):
        name = ENV_PREFIX + ENV_DELIMITER.join(parts[:end]).upper()
        if name in present:
            return f"${name}"
    return f"${ENV_PREFIX}{ENV_DELIMITER.join(parts).upper()}"


def explain(exc: ValidationError, origins: Mapping[str, str]) -> str:
    """One line per error: the setting, what is wrong, where it came from; never the value."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        parts = [str(p) for p in error["loc"]]
        key = ".".join(parts)
        shown = re.sub(r"\.(\d+)", r"[\1]", key)
        prefixes = (".".join(parts[:n]) for n in range(len(parts), 0, -1))
        origin = next((origins[k] for k in prefixes if k in origins), None)
        if origin is None:  # a rule across settings: name whatever set the section's values
            below = sorted({v for k, v in origins.items() if k.startswith(key + ".")})
            origin = ", ".join(below) or "default"
        lines.append(f"{shown}: {error['msg']} (uit/from {origin})")
    return "ongeldige instellingen (invalid settings):\n  " + "\n  ".join(lines)
