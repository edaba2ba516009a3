"""One Django configuration per test process, serving both of its users.

Open edX's LTI consumer (the platform the tool is launched from) and xblock-sdk's
workbench (the runtime the XBlocks are tested in) both need Django, and a process can
configure it once: this module does, with the workbench's settings plus what the LTI
consumer reads, and a throwaway SQLite database migrated for the workbench's state.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

_lock = threading.Lock()


def setup() -> None:
    """Configure and set up Django once (idempotent, thread-safe)."""
    with _lock:
        import django
        from django.conf import settings

        if settings.configured:
            return
        # Playwright's sync API keeps an event loop in the test's thread, which Django
        # takes for an async context; the database calls here are synchronous all the same.
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        import workbench.settings as workbench

        values = {name: getattr(workbench, name) for name in dir(workbench) if name.isupper()}
        folder = Path(tempfile.mkdtemp(prefix="opes-django-"))
        values.update(
            # The XBlocks' outbox app, as Open edX's plugin system would install it.
            INSTALLED_APPS=[*workbench.INSTALLED_APPS, "opes_xblocks.outbox"],
            DATABASES={
                "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(folder / "wb.db")}
            },
            # The workbench logs to var/workbench.log under the current folder otherwise.
            LOGGING={"version": 1, "disable_existing_loggers": False},
            PLATFORM_NAME="OPES test platform",
            OPENEDX_TELEMETRY=[],
            USE_TZ=True,
            LANGUAGE_CODE="it",
            LANGUAGES=[("it", "Italiano"), ("en", "English")],
        )
        settings.configure(**values)
        django.setup()
        from django.core.management import call_command

        call_command("migrate", run_syncdb=True, verbosity=0)
