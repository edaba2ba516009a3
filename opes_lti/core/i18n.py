"""Italian first: Flask-Babel wired to the request's language, Italian by default."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request
from flask_babel import Babel

LOCALES = ("it", "en")
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def _select_locale() -> str:
    # An explicit ?lang= wins (links in the pages), then the browser's preference.
    asked = request.args.get("lang")
    if asked in LOCALES:
        return asked
    best = request.accept_languages.best_match(LOCALES)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask, default_locale: str) -> None:
    """Attach Flask-Babel with this package's catalogs."""
    app.config["BABEL_DEFAULT_LOCALE"] = default_locale
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=_select_locale)
