"""The outbox as a Django app, which Open edX loads as a plugin of the LMS and Studio."""

from __future__ import annotations

from typing import ClassVar

from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Registered through the ``lms.djangoapp`` and ``cms.djangoapp`` entry points."""

    name = "opes_xblocks.outbox"
    label = "opes_outbox"
    verbose_name = "OPES outcome events outbox"
    default_auto_field = "django.db.models.BigAutoField"
    # edx-django-utils' plugin framework: add the app to INSTALLED_APPS, nothing else.
    plugin_app: ClassVar[dict[str, dict[str, object]]] = {}
