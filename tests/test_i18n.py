"""Every user-facing string is in the catalogs, translated into Italian, and compiled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "opes_lti" / "translations"


def _extract(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "lazy_gettext",
            "-k",
            "ngettext:1,2",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_i18n_every_source_string_has_an_italian_translation(tmp_path: Path) -> None:
    source_ids = _extract(tmp_path)
    assert source_ids, "no strings extracted: the extraction itself is broken"
    with (TRANSLATIONS / "it" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        italian = {m.id: m.string for m in read_po(handle) if m.id}
    missing = sorted(i for i in source_ids if not italian.get(i))
    assert missing == [], "untranslated (run scripts/i18n): " + "; ".join(missing)


def _key(value: object) -> object:
    # A plural message's id and strings come as a tuple from .po files, a list from .mo.
    return tuple(value) if isinstance(value, list | tuple) else value


def test_i18n_compiled_catalogs_match_their_sources() -> None:
    for lang in ("it", "en"):
        folder = TRANSLATIONS / lang / "LC_MESSAGES"
        with (folder / "messages.po").open("rb") as handle:
            po = {_key(m.id): _key(m.string) for m in read_po(handle) if m.id and any(m.string)}
        with (folder / "messages.mo").open("rb") as handle:
            mo = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
        assert mo == po, f"{lang} catalog not compiled: the build runs pybabel compile"


def test_i18n_every_template_parses_so_its_strings_are_extracted(app: object) -> None:
    # Babel's extractor skips a template it cannot parse without a word: its strings
    # would then silently miss the catalog.
    env = app.jinja_env  # type: ignore[attr-defined]
    templates = sorted(ROOT.glob("opes_lti/**/templates/**/*.html"))
    assert templates
    for path in templates:
        env.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_i18n_xblock_catalog_is_complete_in_italian_and_compiled() -> None:
    # The blocks read translations/<lang>/LC_MESSAGES/text.mo, as Open edX's XBlock i18n
    # service does; every message they show must be there in Italian.
    from opes_xblocks.i18n import STRINGS, gettext_for

    folder = ROOT / "xblocks" / "opes_xblocks" / "translations" / "it" / "LC_MESSAGES"
    with (folder / "text.po").open("rb") as handle:
        italian = {m.id: m.string for m in read_po(handle) if m.id}
    missing = sorted(m for m in STRINGS.values() if not italian.get(m))
    assert missing == [], "untranslated in the XBlock catalog (run scripts/i18n): " + "; ".join(
        missing
    )
    assert (folder / "text.mo").exists(), "compile the catalogs (scripts/test does)"
    assert gettext_for("it", STRINGS["next"]) == "Avanti"
    assert gettext_for("en", STRINGS["next"]) == "Next"
