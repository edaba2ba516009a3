"""Shared plumbing of the server side: settings, database, i18n."""
