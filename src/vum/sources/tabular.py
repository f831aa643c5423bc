# SPDX-License-Identifier: EUPL-1.2
"""Read a municipality's export as a table: CSV (``;`` or ``,``; UTF-8, with or without BOM, or cp1252) or Excel.

Rows are numbered as a spreadsheet shows them: the header is row 1, so the first record is row 2.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vum.sources.errors import SourceFileError

CSV_SUFFIXES = {".csv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
#: An .xlsx is a zip of XML parts. What its parts may unpack to, together: a sheet of 200,000
#: records is some 300 MB of XML; anything far larger is a zip bomb, not an export.
MAX_EXCEL_UNPACKED = 1 << 30
#: XML packs about 10-30 to 1; a large part packed more than this is a zip bomb (OWASP).
MAX_EXCEL_RATIO = 200
_RATIO_FROM = 16 << 20
#: Parts that link to other workbooks ([1]Blad1!A1): their values are not in this file.
_EXTERNAL_LINKS = "xl/externallinks/"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"


@dataclass
class Table:
    """A header and the rows under it; ``rows`` holds (row number, cells padded to the header)."""

    source: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    #: rows with more values than the header has columns: (row number, how many values)
    overflow: list[tuple[int, int]] = field(default_factory=list)
    #: how the file was read, for messages ("UTF-8 met BOM, scheidingsteken ';'")
    detected: str = ""


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text and the encoding it was read with: BOM, else UTF-8, else Windows-1252."""
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceFileError(
                f"kan het bestand niet lezen als {encoding}: {exc} (cannot decode the file)"
            ) from None
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "UTF-8 met BOM"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Windows saves "CSV (gescheiden door lijstscheidingsteken)" as cp1252.
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise SourceFileError(
            f"het bestand is geen UTF-8 en geen Windows-1252 (byte {exc.start}); sla het op als "
            f"CSV UTF-8 (the file is neither UTF-8 nor Windows-1252)"
        ) from None


def sniff_delimiter(text: str) -> str:
    """``;`` (Dutch Excel), ``,`` or tab: whichever the header line has most of."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _table(source: str, raw_rows: Iterable[Sequence[Any]], detected: str) -> Table:
    iterator = iter(raw_rows)
    header_row = next(iterator, None)
    if header_row is None or all(_blank(c) for c in header_row):
        raise SourceFileError(
            f"{source}: rij 1 (de kopregel met kolomnamen) is leeg (row 1, the header, is empty)"
        )
    headers = ["" if c is None else str(c).strip() for c in header_row]
    while headers and not headers[-1]:
        headers.pop()
    table = Table(source, headers, detected=detected)
    width = len(headers)
    for number, cells in enumerate(iterator, start=2):
        values = list(cells)
        if all(_blank(c) for c in values):
            continue  # empty rows are skipped but still counted, as the spreadsheet numbers them
        extra = values[width:]
        if any(not _blank(c) for c in extra):
            last = max(i for i, c in enumerate(values) if not _blank(c))
            table.overflow.append((number, last + 1))
        values = values[:width] + [None] * (width - len(values))
        table.rows.append((number, values))
    return table


def read_csv(path: Path, *, delimiter: str | None = None, encoding: str | None = None) -> Table:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFileError(f"kan {path} niet lezen: {exc.strerror} (cannot read file)") from None
    text, used = decode(raw, encoding)
    sep = delimiter or sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        raise SourceFileError(f"{path.name}: geen geldige CSV: {exc} (invalid CSV)") from None
    shown = "tab" if sep == "\t" else f"'{sep}'"
    return _table(path.name, rows, f"{used}, scheidingsteken {shown}")


def check_workbook(path: Path) -> None:
    """Refuse an .xlsx that would unpack to far more than it is (a zip bomb) or that links to
    other workbooks, before any part of it is unpacked.

    Only the zip's directory is read. Python's zipfile never unpacks a part beyond the size
    that directory declares, so checking the declared sizes bounds what reading can cost.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            # The workbook's relationships name every external link, wherever its part lives.
            rels = [p for p in parts if p.filename.lower() == _WORKBOOK_RELS]
            linked = any(
                p.file_size < 1 << 20 and b"/externalLink" in archive.read(p) for p in rels
            )
    except (zipfile.BadZipFile, OSError):
        return  # not a zip at all: load_workbook says so in its own words below
    unpacked = sum(p.file_size for p in parts)
    if unpacked > MAX_EXCEL_UNPACKED:
        raise SourceFileError(
            f"{path.name}: het bestand zou uitpakken tot {unpacked >> 20} MB, meer dan "
            f"{MAX_EXCEL_UNPACKED >> 20} MB; geen gewone export (the workbook would unpack to "
            f"more than {MAX_EXCEL_UNPACKED >> 20} MB: refused as a zip bomb)"
        )
    for part in parts:
        if part.file_size > _RATIO_FROM and part.file_size > MAX_EXCEL_RATIO * part.compress_size:
            raise SourceFileError(
                f"{path.name}: onderdeel {part.filename} is ongewoon sterk ingepakt "
                f"({part.file_size // max(part.compress_size, 1)}:1); geweigerd "
                f"(a part packed more than {MAX_EXCEL_RATIO}:1: refused as a zip bomb)"
            )
        if linked or part.filename.lower().startswith(_EXTERNAL_LINKS):
            raise SourceFileError(
                f"{path.name}: het bestand verwijst naar andere werkmappen; "
                f"sla het op met waarden in plaats van koppelingen (the workbook links to other "
                f"workbooks: save it with values, without external links)"
            )


def read_excel(path: Path, *, sheet: str | None = None) -> Table:
    # No type stubs for openpyxl in the dev dependencies (types-openpyxl would add them).
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    check_workbook(path)
    try:
        # Our own handle: openpyxl leaves the file open when a workbook turns out broken.
        handle = path.open("rb")
    except OSError as exc:
        raise SourceFileError(f"kan {path} niet lezen: {exc.strerror} (cannot read file)") from None
    with handle:
        try:
            with warnings.catch_warnings():
                # Exports from other tools often lack a default style; openpyxl warns, we read on.
                warnings.simplefilter("ignore", UserWarning)
                # keep_links=False: links to other workbooks are never read (refused above anyway).
                book = load_workbook(handle, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:  # zipfile.BadZipFile, KeyError, ...: a file that is no workbook
            raise _unreadable(path, exc) from None
        try:
            if sheet is not None and sheet not in book.sheetnames:
                raise SourceFileError(
                    f"{path.name}: tabblad '{sheet}' bestaat niet; wel: "
                    f"{', '.join(book.sheetnames)} (no such sheet)"
                )
            ws = book[sheet] if sheet is not None else book.worksheets[0]
            # Some tools write a wrong size into the file; read what is really there.
            ws.reset_dimensions()
            rows = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
            return _table(path.name, rows, f"Excel, tabblad '{ws.title}'")
        except SourceFileError:
            raise
        except Exception as exc:  # a sheet that breaks off or fails its checksum while read
            raise _unreadable(path, exc) from None
        finally:
            book.close()


def _unreadable(path: Path, exc: Exception) -> SourceFileError:
    return SourceFileError(
        f"{path.name} is geen leesbaar Excel-bestand (.xlsx): {exc} (not a readable .xlsx)"
    )


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Table:
    """A CSV or Excel file as a :class:`Table`, by its extension."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read_csv(path, delimiter=delimiter, encoding=encoding)
    if suffix in EXCEL_SUFFIXES:
        return read_excel(path, sheet=sheet)
    if suffix == ".xls":
        raise SourceFileError(
            f"{path.name}: het oude Excel-formaat .xls wordt niet gelezen; sla op als .xlsx of "
            f"CSV (the old .xls format is not supported; save as .xlsx or CSV)"
        )
    raise SourceFileError(
        f"{path.name}: onbekend bestandstype '{suffix}'; gebruik .json, .csv of .xlsx "
        f"(unknown file type)"
    )
