# SPDX-License-Identifier: EUPL-1.2
"""Hostile .xlsx files built in the test: zip bombs (honest and lying sizes) and workbooks linking to others.

The bomb's sheet is deflated once per MiB with a full flush, so every MiB packs to the same
bytes and a sheet of gigabytes is a byte string repeated, made in milliseconds. Its CRC is not
computed (it would take seconds): a reader only checks it after unpacking everything, which is
exactly what must never happen.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped]

MiB = 1 << 20
_ROW = b'<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAA</t></is></c></row>'
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)


@dataclass
class Part:
    name: str
    packed: bytes
    crc: int
    size: int  # the uncompressed size the zip declares
    method: int = zipfile.ZIP_DEFLATED


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _part(name: str, data: bytes) -> Part:
    return Part(name, _deflate(data), zlib.crc32(data), len(data))


def bomb_sheet(mib: int) -> tuple[bytes, int]:
    """A deflated sheet that unpacks to ``mib`` MiB (and a little): (packed bytes, real size)."""
    block = _ROW * (MiB // len(_ROW))
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = packer.compress(_SHEET_HEAD) + packer.flush(zlib.Z_FULL_FLUSH)
    packed_block = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.flush()
    return head + packed_block * mib + tail, len(_SHEET_HEAD) + len(block) * mib


def _workbook_parts() -> dict[str, bytes]:
    """The parts of a real one-sheet workbook that openpyxl writes, with a header row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Blad1"
    sheet.append(["Nummer", "Naam", "Postcode"])
    sheet.append(["v1", "Kok", "3511AB"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_zip(path: Path, parts: list[Part]) -> Path:
    """A zip of ``parts`` exactly as given: sizes and CRCs as declared, data as packed."""
    out = io.BytesIO()
    central = b""
    for part in parts:
        offset = out.tell()
        name = part.name.encode()
        fields = (20, 0, part.method, 0, 0x21, part.crc, len(part.packed), part.size, len(name), 0)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + name + part.packed)
        central += (
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, offset) + name
        )
    start = out.tell()
    out.write(central)
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central), start, 0)
    )
    path.write_bytes(out.getvalue())
    return path


def bomb(path: Path, mib: int, *, declared: int | None = None) -> Path:
    """A workbook whose sheet unpacks to ``mib`` MiB; ``declared`` lies about that size."""
    parts = [_part(n, d) for n, d in _workbook_parts().items() if n != "xl/worksheets/sheet1.xml"]
    packed, size = bomb_sheet(mib)
    parts.append(Part("xl/worksheets/sheet1.xml", packed, 0, declared if declared else size))
    return write_zip(path, parts)


def linked(path: Path, *, part_name: str = "xl/externalLinks/externalLink1.xml") -> Path:
    """A workbook with a formula into another workbook (``[1]Blad1!A1``) and its external link."""
    parts = _workbook_parts()
    ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    rel_type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink"
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdExt1" Type="{rel_type}" Target="/{part_name}"/>'
        "</Relationships>".encode(),
    )
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"</sheets>",
        b'</sheets><externalReferences><externalReference r:id="rIdExt1"/></externalReferences>',
    )
    parts[part_name] = (
        f'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" {ns}>'
        '<externalBook r:id="rId1"><sheetNames><sheetName val="Blad1"/></sheetNames>'
        '<sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1" t="str"><v>geheim</v>'
        "</cell></row></sheetData></sheetDataSet></externalBook></externalLink>"
    ).encode()
    folder, _, file = part_name.rpartition("/")
    parts[f"{folder}/_rels/{file}.rels"] = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/externalLinkPath" Target="https://evil.example/andere.xlsx" '
        b'TargetMode="External"/></Relationships>'
    )
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"</sheetData>",
        b'<row r="3"><c r="A3" t="str"><f>[1]Blad1!A1</f><v>geheim</v></c></row></sheetData>',
    )
    return write_zip(path, [_part(name, data) for name, data in parts.items()])
