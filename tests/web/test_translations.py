from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "talat" / "locale"


@pytest.mark.parametrize("language", ["en", "zh_Hans"])
def test_every_string_is_translated_and_compiled(language):
    folder = LOCALE / language / "LC_MESSAGES"
    catalog = polib.pofile(str(folder / "django.po"))
    assert len(catalog) > 100
    assert [e.msgid for e in catalog if not e.translated() or "fuzzy" in e.flags] == []
    compiled = {(e.msgid, e.msgstr or str(e.msgstr_plural)) for e in polib.mofile(str(folder / "django.mo"))}
    source = {(e.msgid, e.msgstr or str(e.msgstr_plural)) for e in catalog}
    assert source <= compiled, "run `make messages`: the .mo file is older than the .po file"


@pytest.mark.parametrize("language", ["en", "zh_Hans"])
def test_placeholders_survive_translation(language):
    import re

    catalog = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    for entry in catalog:
        names = set(re.findall(r"%\((\w+)\)s", entry.msgid))
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text:
                assert set(re.findall(r"%\((\w+)\)s", text)) == names, entry.msgid
