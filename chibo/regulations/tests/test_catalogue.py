"""The app's own catalogue (chibo/regulations/locale) has Vietnamese for every string."""

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

APP = Path(__file__).resolve().parent.parent
CATALOGUE = APP / "locale" / "vi" / "LC_MESSAGES"


def test_every_string_of_the_app_has_a_vietnamese_translation(tmp_path, settings, monkeypatch):
    if not shutil.which("xgettext"):
        pytest.fail("gettext is missing: run `make system-packages` (apt-get install gettext)")
    copy = tmp_path / "regulations"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__"))
    settings.LOCALE_PATHS = []
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["vi"], no_obsolete=True, no_location=True, verbosity=0)
    po = polib.pofile(str(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po if not e.translated() or e.obsolete]
    assert not missing, f"run `make messages` and translate: {missing[:20]}"


def test_the_app_catalogue_is_compiled():
    committed = polib.pofile(str(CATALOGUE / "django.po"))
    compiled = polib.mofile(str(CATALOGUE / "django.mo"))
    translations = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in compiled}
    stale = [
        e.msgid
        for e in committed.translated_entries()
        if translations.get((e.msgctxt, e.msgid)) != (e.msgstr or e.msgstr_plural.get(0))
    ]
    assert not stale, f"run `make messages`: {stale[:10]}"
