"""Italian first: Flask-Babel wired to the request's language, Italian by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import Babel, get_translations
from flask_babel.speaklater import LazyString

LOCALES = ("it", "en")
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def _select_locale() -> str:
    # An explicit ?lang= wins (links in the pages), then the browser's preference.
    asked = request.args.get("lang")
    if asked in LOCALES:
        return asked
    best = request.accept_languages.best_match(LOCALES)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def _catalog() -> Any:
    """The request's catalog, looked up once per locale per request.

    Flask-Babel finds it afresh on every message (several context lookups and a string
    built from the locale), which a page with dozens of messages pays each time. The
    locale object is the key, so ``force_locale`` still switches catalogs.
    """
    babel = g.get("_flask_babel")
    locale = getattr(babel, "babel_locale", None)
    if locale is None:  # not selected yet in this request: let Flask-Babel do it
        return get_translations()
    memo = getattr(babel, "opes_catalog", None)
    if memo is None or memo[0] is not locale:
        memo = babel.opes_catalog = (locale, get_translations())
    return memo[1]


def _as_text(value: Any) -> Any:
    """A lazy translation reaches a page as text, to be escaped like any other.

    Flask-Babel's lazy strings have ``__html__``, so Jinja would print them as trusted
    markup, and one built with a value interpolated (a custom parameter, a name) would
    carry that value's markup into the page unescaped. Every template expression passes
    through here before it is escaped, so no page can forget.
    """
    return str(value) if isinstance(value, LazyString) else value


def init_app(app: Flask, default_locale: str) -> None:
    """Attach Flask-Babel with this package's catalogs."""
    app.config["BABEL_DEFAULT_LOCALE"] = default_locale
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=_select_locale)
    app.jinja_env.finalize = _as_text
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _catalog().ugettext(s),
        ngettext=lambda s, p, n: _catalog().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalog().unpgettext(c, s, p, n),
    )
