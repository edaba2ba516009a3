"""Events waiting for the reporting service, in the LMS database."""

from __future__ import annotations

from django.db import models


class PendingEvent(models.Model):
    """One outcome event: pending until delivered, or set aside when refused."""

    STATUSES = (("pending", "pending"), ("delivered", "delivered"), ("rejected", "rejected"))

    event_id = models.CharField(max_length=36, unique=True)
    #: The canonical JSON text, sent as it is (content hashing depends on it).
    body = models.TextField()
    status = models.CharField(max_length=10, choices=STATUSES, default="pending")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_token = models.CharField(max_length=36, null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        """Due pending events are found by status and time."""

        indexes = (models.Index(fields=("status", "next_attempt_at")),)

    def __str__(self) -> str:
        return f"{self.event_id} ({self.status})"
