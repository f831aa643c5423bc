# SPDX-License-Identifier: EUPL-1.2
"""`vum config show|check|docs` and `vum keys new|list`: the settings and the vumID keys by hand."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from vum.config import (
    CONFIG_ENV,
    ENV_DELIMITER,
    ENV_PREFIX,
    MASK,
    ConfigError,
    PartyEntry,
    Settings,
    SourceEntry,
    flat_env_names,
    load_settings,
    parse_vumid_keys,
    secret_fields,
)

# Exit codes: 0 done, 1 settings that cannot be used (`check`), 2 unusable arguments.
config_app = typer.Typer(
    help="De instellingen van open VUM: bekijken, controleren, documenteren "
    "(open VUM's settings: show, check, document).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
keys_app = typer.Typer(
    help="De vumID-sleutels van de uitwisselingsvoorziening: maken en roteren "
    "(the facility's vumID keys: make and rotate).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help=f"TOML/YAML-instellingen (settings file); default ${CONFIG_ENV}"),
]
#: where the generated reference lives in the repository
DOCS_PATH = Path("docs/configuration.md")


def _load(config: Path | None, code: int) -> Settings:
    try:
        return load_settings(config)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code) from None


def _toml(value: Any) -> str:
    """``value`` as a TOML value (strings quoted, lists inline)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


def _lines(settings: Settings) -> Iterator[str]:
    data = settings.masked()
    file = settings.config_file
    yield f"# config: {file if file is not None else '(geen / none)'}"
    for section in Settings.model_fields:
        if section in ("sources", "parties"):
            continue
        yield f"\n[{section}]"
        for name, value in data[section].items():
            origin = settings.origin(f"{section}.{name}")
            if value is None:
                yield f"# {name} = (niet gezet / unset)".ljust(48) + f"  # {origin}"
            else:
                yield f"{name} = {_toml(value)}".ljust(48) + f"  # {origin}"
    for section in ("sources", "parties"):
        for entry in data[section]:
            yield f"\n[[{section}]]  # {settings.origin(section)}"
            for name, value in entry.items():
                if value is not None:
                    yield f"{name} = {_toml(value)}"


@config_app.command("show")
def show(
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="als JSON (as JSON)")] = False,
) -> None:
    """Toon de geldende instellingen en hun herkomst; geheimen gemaskeerd (effective settings)."""
    settings = _load(config, 2)
    if as_json:
        body = {"config": str(settings.config_file or ""), "settings": settings.masked()}
        typer.echo(json.dumps({**body, "origins": settings.origins()}, indent=2, default=str))
        return
    for line in _lines(settings):
        typer.echo(line)


def problems(settings: Settings) -> tuple[list[str], list[str]]:
    """Errors and warnings beyond single values: combinations the servers would refuse."""
    errors: list[str] = []
    warnings: list[str] = []
    fac, ident = settings.facility, settings.identity
    if fac.workers > 1 and settings.store_url() is None:
        errors.append("facility.workers > 1 vraagt store.url (more than one worker needs a store)")
    tls = [ident.tls_cert, ident.tls_key, ident.client_ca]
    if any(tls) and not all(tls):
        errors.append("identity: tls_cert, tls_key en client_ca samen (all three, or none)")
    if ident.mode == "proxy" and not ident.trusted_proxies:
        errors.append("identity.mode = proxy vraagt trusted_proxies (proxy mode needs proxies)")
    if fac.vumid_keys is None:
        warnings.append(
            "geen vumID-sleutels ($VUM_VUMID_KEYS): een tijdelijke sleutel, vumID's vervallen "
            "bij herstart (no vumID keys: ephemeral key)"
        )
    portal = settings.portal
    if portal.workers > 1 and portal.session_secret is None:
        errors.append(
            "portal.workers > 1 vraagt $VUM_SESSION_SECRET (more than one portal worker needs "
            "the session secret)"
        )
    if fac.deadline_s < fac.source_timeout_s:
        warnings.append(
            "facility.deadline_s < facility.source_timeout_s: de deadline kapt bronnen eerder af "
            "(the deadline cuts sources off before their timeout)"
        )
    oins = [s.oin for s in settings.sources]
    errors.extend(
        f"[[sources]]: OIN {oin} staat er twee keer in (listed twice)"
        for oin in sorted({o for o in oins if oins.count(o) > 1})
    )
    return errors, warnings


@config_app.command("check")
def check(config: ConfigOption = None) -> None:
    """Controleer de instellingen zoals een server ze zou laden; exit 1 bij een fout."""
    settings = _load(config, 1)
    errors, warnings = problems(settings)
    for warning in warnings:
        typer.echo(f"waarschuwing (warning): {warning}", err=True)
    if errors:
        typer.echo("\n".join(f"fout (error): {e}" for e in errors), err=True)
        raise typer.Exit(1)
    typer.echo(
        f"instellingen in orde (settings OK): config {settings.config_file or '-'}, "
        f"{len(settings.sources)} bron(nen), {len(settings.parties)} partij(en)"
    )


@config_app.command("docs")
def docs(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help=f"bestand, bv. {DOCS_PATH} (file)")
    ] = None,
) -> None:
    """Schrijf de instellingenreferentie in Markdown (generates docs/configuration.md)."""
    text = render_docs()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    value = info.get_default(call_default_factory=True)
    if value is None:
        return "—"
    return f"`{_toml(value)}`"


def _doc(model: type[BaseModel]) -> str:
    return (model.__doc__ or "").replace("``", "`")


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _section_table(section: str, model: type[BaseModel]) -> Iterator[str]:
    flat = flat_env_names()
    secrets = {(s, n) for s, n, _ in secret_fields()}
    yield "| setting | default | environment | |"
    yield "|---|---|---|---|"
    for name, info in model.model_fields.items():
        env = f"`{ENV_PREFIX}{section.upper()}{ENV_DELIMITER}{name.upper()}`"
        if (section, name) in secrets:
            env = f"`{flat[section, name]}` or `{flat[section, name]}_FILE` (secret)"
        elif (section, name) in flat:
            env = f"`{flat[section, name]}`, {env}"
        default = "— (secret)" if (section, name) in secrets else _default(info)
        yield f"| `{name}` | {default} | {env} | {_cell(info.description)} |"


def _entry_table(model: type[BaseModel]) -> Iterator[str]:
    yield "| field | default | |"
    yield "|---|---|---|"
    for name, info in model.model_fields.items():
        yield f"| `{name}` | {_default(info)} | {_cell(info.description)} |"


_INTRO = f"""# Configuration

<!-- Generated from src/vum/config.py by `vum config docs -o docs/configuration.md`; do not edit by
hand. tests/test_config_docs.py fails when this file is stale. -->

Every open VUM process reads one settings model (`vum.config.Settings`). Each setting has the
default of the VUM agreement framework; later sources win:

1. the defaults below;
2. the config file: `--config FILE`, else `${CONFIG_ENV}` — TOML, or YAML with `.yaml`/`.yml`;
3. the environment: `VUM_<SECTION>__<SETTING>` (e.g. `VUM_FACILITY__DEADLINE_S=8`; lists as JSON,
   `VUM_SOURCE__TRUSTED_VIA='["00000001800866472000"]'`), and the flat names listed below
   (`VUM_DB`, the secrets);
4. command-line options (`vum serve facility --port 8443`).

**Secrets** — the vumID keys, the admin token's hash, the database password, the portal's
session secret and its OpenID Connect client secret — come only from the environment or from a
file named by `<NAME>_FILE` (Docker and Kubernetes secrets:
`VUM_VUMID_KEYS_FILE=/run/secrets/vumid_keys`). A secret in the config file is refused at start,
naming the key; so is a password in a database URL there (`store.url`, `portal.source_db`: it
goes in `VUM_DB_PASSWORD`). Secrets are shown as `{MASK}` by `vum config show` and in the logs. A bad value stops the process with the setting's name and where the value came from
(the file, or the variable).

```
vum config show [--config FILE] [--json]   # effective settings, secrets masked, with their origin
vum config check [--config FILE]           # exit 1 when a server would refuse them
vum config docs -o docs/configuration.md   # this page
vum keys new                               # a fresh vumID key line (see operations.md, key rotation)
```
"""


def render_docs() -> str:
    """``docs/configuration.md``: every setting with its default, variable and help text."""
    lines = [_INTRO]
    for section, info in Settings.model_fields.items():
        model = info.annotation
        if section in ("sources", "parties") or not (
            isinstance(model, type) and issubclass(model, BaseModel)
        ):
            continue
        lines += [f"## `[{section}]`", "", _doc(model), "", *_section_table(section, model)]
        lines.append("")
    for section, entry in (("sources", SourceEntry), ("parties", PartyEntry)):
        lines += [f"## `[[{section}]]`", "", _doc(entry), ""]
        lines += [
            "Only in the config file, one table per entry (with a store, `vum parties` manages",
            "them as well; the file's entries are applied at every start).",
            "",
            *_entry_table(entry),
            "",
        ]
    return "\n".join(lines)


@keys_app.command("new")
def new_key_line(
    key_id: Annotated[
        str | None,
        typer.Option("--id", help="sleutel-id, [a-zA-Z0-9_-]{1,16}; default k<JJJJMMDD>"),
    ] = None,
) -> None:
    """Druk een nieuwe sleutelregel af, <id>:<base64>, om vooraan in VUM_VUMID_KEYS te zetten."""
    key_id = key_id or f"k{dt.date.today():%Y%m%d}"
    line = f"{key_id}:{base64.urlsafe_b64encode(os.urandom(32)).decode('ascii')}"
    try:
        parse_vumid_keys(line)
    except ValueError as exc:
        typer.echo(f"--id: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(line)
    typer.echo(
        "Zet deze regel vooraan in VUM_VUMID_KEYS en herstart; houd de oude sleutels erachter "
        "tot facility.retention_days voorbij zijn (put it first; keep the old keys until the "
        'retention has passed): VUM_VUMID_KEYS="<nieuw>,$VUM_VUMID_KEYS"',
        err=True,
    )


@keys_app.command("list")
def list_keys(config: ConfigOption = None) -> None:
    """Toon de sleutel-id's uit VUM_VUMID_KEYS (nooit de sleutels); de eerste is de huidige."""
    settings = _load(config, 2)
    keys = settings.facility.vumid_keys
    if keys is None:
        typer.echo("geen vumID-sleutels gezet (no vumID keys set)", err=True)
        raise typer.Exit(1)
    for n, key_id in enumerate(parse_vumid_keys(keys.get_secret_value())):
        typer.echo(f"{key_id}\t{'huidig (current)' if n == 0 else 'ouder (older, still accepted)'}")
    typer.echo(f"uit/from {settings.origin('facility.vumid_keys')}", err=True)
