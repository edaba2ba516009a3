"""Compile the translation catalogs when the package is built.

Open edX installs the blocks with one ``pip install``; the catalogs (``.po`` in git) must
then become the ``.mo`` files its XBlock i18n service reads, without a separate step.
Everything else is declared in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    """build_py, then ``translations/*/LC_MESSAGES/text.po`` compiled next to the code."""

    def run(self) -> None:
        """Build as usual, then write the compiled catalogs."""
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        here = Path(__file__).resolve().parent
        for po in (here / "opes_xblocks" / "translations").glob("*/LC_MESSAGES/text.po"):
            relative = po.relative_to(here).with_suffix(".mo")
            for root in {Path(self.build_lib), here}:
                target = root / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                with po.open("rb") as source:
                    catalog = read_po(source)
                with target.open("wb") as out:
                    write_mo(out, catalog)


setup(cmdclass={"build_py": BuildWithCatalogs})
