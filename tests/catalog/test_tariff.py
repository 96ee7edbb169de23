"""The tariff-line table and the product tariff-code validator (no database needed)."""

import csv
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from talat.catalog import tariff

THAI = re.compile(r"[\u0e00-\u0e7f]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def csv_rows():
    with tariff.DATA_FILE.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["code", "description_th", "description_en", "description_zh"]
        return list(reader)


def test_every_row_is_an_eight_digit_code_with_three_descriptions():
    rows = csv_rows()
    assert len(rows) >= 150
    for row in rows:
        assert re.fullmatch(r"[0-9]{8}", row["code"]), row
        for field in ("description_th", "description_en", "description_zh"):
            value = row[field]
            assert value and value == value.strip(), (row["code"], field)
            assert len(value) <= 120, (row["code"], field)
        assert THAI.search(row["description_th"]), row["code"]
        assert HAN.search(row["description_zh"]), row["code"]


def test_codes_are_unique_and_all_loaded():
    codes = [row["code"] for row in csv_rows()]
    assert len(codes) == len(set(codes))
    assert set(tariff.lines()) == set(codes)


def test_the_table_covers_the_chapters_smes_export():
    chapters = {code[:2] for code in tariff.lines()}
    assert {"08", "09", "10", "19", "21", "22", "33", "44", "50", "94"} <= chapters
    for code in ("08106000", "08045030", "10063040", "10063030", "09011110", "50072090"):
        assert code in tariff.lines()


@pytest.mark.parametrize("raw", ["0810.60.00", "08106000", "0810 60 00", "0810-60-00", " 0810.60.00 "])
def test_common_formats_resolve_to_the_same_line(raw):
    line = tariff.tariff_line(raw)
    assert line.code == "08106000"
    assert line.display_code == "0810.60.00"


def test_normalise_strips_spaces_dots_and_hyphens():
    assert tariff.normalise("0810. 60-00") == "08106000"
    assert tariff.normalise("") == ""


@pytest.mark.parametrize("raw", ["0810.60", "081060", "0810.60.000", "08a06000", "", "๐๘๑๐๖๐๐๐"])
def test_malformed_codes_are_refused_as_format_errors(raw):
    with pytest.raises(ValidationError) as caught:
        tariff.tariff_line(raw)
    assert caught.value.code == "hs_format"
    assert "8 หลัก" in caught.value.messages[0]


def test_a_made_up_code_is_refused_as_unknown():
    with pytest.raises(ValidationError) as caught:
        tariff.tariff_line("0810.60.01")
    assert caught.value.code == "hs_unknown"
    assert caught.value.params == {"code": "0810.60.01"}
    assert "0810.60.01" in caught.value.messages[0]


def test_descriptions_follow_the_active_language():
    line = tariff.tariff_line("0810.60.00")
    with translation.override("th"):
        assert line.description == "ทุเรียน สด"
    with translation.override("en"):
        assert line.description == "Durians, fresh"
    with translation.override("zh-hans"):
        assert line.description == "鲜榴莲"
    with translation.override(None):
        assert line.description == "ทุเรียน สด"


def test_search_by_thai_word():
    codes = [line.code for line in tariff.search("ทุเรียน")]
    assert "08106000" in codes
    assert "10063040" in [line.code for line in tariff.search("ข้าวหอมมะลิ")]


def test_search_is_case_insensitive_in_english_and_finds_chinese():
    assert "08106000" in [line.code for line in tariff.search("DURIAN")]
    assert "08045030" in [line.code for line in tariff.search("山竹")]


def test_search_by_code_prefix():
    found = tariff.search("0810")
    assert found and all(line.code.startswith("0810") for line in found)
    assert [line.code for line in found] == sorted(line.code for line in found)
    narrowed = tariff.search("0810.90")
    assert narrowed and all(line.code.startswith("081090") for line in narrowed)
    assert tariff.search("99") == []


def test_search_respects_the_limit_and_ignores_blank_terms():
    assert len(tariff.search("09", limit=5)) == 5
    assert len(tariff.search("0", limit=1000)) == len([c for c in tariff.lines() if c.startswith("0")])
    assert tariff.search("") == []
    assert tariff.search("   ") == []
