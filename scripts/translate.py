"""Fill Italian translations from a JSON file of {msgid: msgstr} (for developers).

    .venv/bin/python scripts/translate.py translations.json [CATALOG.po]

CATALOG defaults to the tool's Italian catalog; pass the XBlocks' text.po for theirs.

Only empty entries are filled; anything still untranslated is listed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "opes_lti" / "translations" / "it" / "LC_MESSAGES" / "messages.po"


def main() -> None:
    """Fill the catalog and report what is left."""
    given = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    catalog_path = Path(sys.argv[2]) if len(sys.argv) > 2 else CATALOG
    with catalog_path.open("rb") as handle:
        catalog = read_po(handle, locale="it")
    left = []
    for message in catalog:
        if message.id and not message.string:
            if message.id in given:
                message.string = given[message.id]
            else:
                left.append(message.id)
    with catalog_path.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, width=100)
    print("\n".join(["still untranslated:", *left]) if left else "all translated")


if __name__ == "__main__":
    main()
