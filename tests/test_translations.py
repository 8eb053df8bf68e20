"""Every user-facing string has a Vietnamese translation; the compiled catalogue is current."""

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

import chibo

SOURCE = Path(chibo.__file__).parent


@pytest.fixture
def fresh_catalogue(tmp_path, settings, monkeypatch):
    """Extract the strings of a copy of the code, merged into the committed catalogue."""
    if not shutil.which("xgettext"):
        pytest.fail("gettext is missing: run `make system-packages` (apt-get install gettext)")
    copy = tmp_path / "chibo"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["vi"], no_obsolete=True, no_location=True, verbosity=0)
    return copy / "locale" / "vi" / "LC_MESSAGES"


def test_every_string_has_a_vietnamese_translation(fresh_catalogue):
    po = polib.pofile(str(fresh_catalogue / "django.po"))
    missing = [e.msgid for e in po if not e.translated() or e.obsolete]
    assert not missing, f"{len(missing)} strings without Vietnamese: {missing[:20]}"


def test_the_committed_catalogue_is_compiled(fresh_catalogue):
    committed = polib.pofile(str(SOURCE / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    compiled = polib.mofile(str(SOURCE / "locale" / "vi" / "LC_MESSAGES" / "django.mo"))
    translations = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in compiled}
    stale = [
        e.msgid
        for e in committed.translated_entries()
        if translations.get((e.msgctxt, e.msgid)) != (e.msgstr or e.msgstr_plural.get(0))
    ]
    assert not stale, f"run `make messages`: {stale[:10]}"
