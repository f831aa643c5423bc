# SPDX-License-Identifier: EUPL-1.2
"""Reading occupation CSV files: the happy path and row validation that names file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from vum.register.builtin import RegisterDataError, load_builtin, load_occupation_dir, split_list
from vum.register.model import BUILTIN_NAMESPACE, Register

from .conftest import HEADER, write_register

GOOD = "lasser,Lasser,7212,MIG-lasser|TIG-lasser,constructiewerker,lassen\n"
GOOD2 = "constructiewerker,Constructiewerker,7214,,lasser,\n"


def load(tmp_path: Path, **files: str) -> Register:
    return load_occupation_dir(write_register(tmp_path, {f"{k}.csv": v for k, v in files.items()}))


def error(tmp_path: Path, **files: str) -> RegisterDataError:
    with pytest.raises(RegisterDataError) as info:
        load(tmp_path, **files)
    return info.value


def test_rows_become_occupations_with_stable_uris(tmp_path: Path) -> None:
    register = load(tmp_path, metaal=GOOD + GOOD2)
    lasser = register.by_key("lasser")
    assert lasser is not None
    assert lasser.uri == BUILTIN_NAMESPACE + "lasser" == "https://data.openvum.nl/id/beroep/lasser"
    assert (lasser.label, lasser.isco, lasser.broader) == ("Lasser", "7212", "721")
    assert lasser.synonyms == ("MIG-lasser", "TIG-lasser")
    assert lasser.related_keys == ("constructiewerker",)
    assert lasser.skills == ("lassen",)
    assert lasser.source == "builtin"
    assert register.get(lasser.uri) is lasser


def test_files_are_read_in_name_order_and_keys_resolve_across_files(tmp_path: Path) -> None:
    register = load(tmp_path, b=GOOD, a=GOOD2)
    assert [o.key for o in register] == ["constructiewerker", "lasser"]


def test_list_cells_are_trimmed_and_deduplicated() -> None:
    assert split_list(" a | b||A |c ", exclude="C") == ("a", "b")


def test_quoted_cells_may_hold_commas(tmp_path: Path) -> None:
    register = load(tmp_path, x='kok,"Kok, zelfstandig werkend",5120,"kok, zelfstandig",,\n')
    kok = register.by_key("kok")
    assert kok is not None
    assert kok.label == "Kok, zelfstandig werkend"


def test_bad_isco_code_names_file_line_and_column(tmp_path: Path) -> None:
    err = error(tmp_path, metaal=GOOD + "bad,Bad,834,,,\n")
    assert (err.file.endswith("metaal.csv"), err.line, err.column) == (True, 3, "isco")
    assert "metaal.csv, regel 3, kolom isco" in str(err)
    assert "line 3, column isco" in str(err)  # English alongside


def test_isco_code_of_a_nonexistent_minor_group_is_rejected(tmp_path: Path) -> None:
    assert error(tmp_path, x="bad,Bad,8399,,,\n").column == "isco"  # minor group 839 does not exist


def test_duplicate_key_across_files_names_both_places(tmp_path: Path) -> None:
    err = error(tmp_path, a=GOOD + GOOD2, b="\nlasser,Lasser 2,7212,,,\n")
    assert (err.file, err.column) == (f"{tmp_path.name}/b.csv", "key")
    assert err.line == 3  # the blank line counts: it is line 2 of the file
    assert "a.csv regel 2" in str(err)


def test_unknown_related_key_is_reported_where_it_is_used(tmp_path: Path) -> None:
    err = error(tmp_path, a=GOOD2 + "lasser,Lasser,7212,,bestaat-niet,\n")
    assert (err.line, err.column) == (3, "related")
    assert "bestaat-niet" in str(err)


def test_empty_label_is_rejected(tmp_path: Path) -> None:
    err = error(tmp_path, a="leeg,  ,7212,,,\n")
    assert (err.line, err.column) == (2, "label")
    assert "lege naam" in str(err) and "empty label" in str(err)


def test_malformed_key_is_rejected(tmp_path: Path) -> None:
    assert error(tmp_path, a="Heftruck Chauffeur,Heftruckchauffeur,8344,,,\n").column == "key"


def test_wrong_header_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("key,label,isco\nkok,Kok,5120\n", encoding="utf-8")
    with pytest.raises(RegisterDataError) as info:
        load_occupation_dir(tmp_path)
    assert (info.value.line, info.value.column) == (1, "header")


def test_missing_cells_are_rejected(tmp_path: Path) -> None:
    assert error(tmp_path, a="kok,Kok,5120\n").column == "synonyms"


def test_related_to_itself_is_rejected(tmp_path: Path) -> None:
    assert error(tmp_path, a="kok,Kok,5120,,kok,\n").column == "related"


def test_multiline_cell_reports_the_line_where_the_row_starts(tmp_path: Path) -> None:
    err = error(tmp_path, a=GOOD2 + 'kok,"Kok\nmet regel",99,,,\n')
    assert (err.line, err.column) == (3, "isco")


def test_missing_directory_is_an_empty_register(tmp_path: Path) -> None:
    assert len(load_occupation_dir(tmp_path / "nope")) == 0


def test_header_only_file_is_fine(tmp_path: Path) -> None:
    (tmp_path / "leeg.csv").write_text(HEADER + "\n", encoding="utf-8")
    assert len(load_occupation_dir(tmp_path)) == 0


def test_builtin_register_loads_validated_and_is_cached() -> None:
    register = load_builtin()
    assert register is load_builtin()
    assert all(o.uri == BUILTIN_NAMESPACE + o.key for o in register)
    assert all(o.broader == o.isco[:3] for o in register)
