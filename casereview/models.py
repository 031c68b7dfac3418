"""The core's storage: the head of each audit hash chain (casereview/auditchain.py)."""

from django.db import models


class AuditChainHead(models.Model):
    """The latest hash of one table's chain; locked while a row is added to that table."""

    table = models.CharField(max_length=100, primary_key=True)
    last_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.table}: {self.last_hash[:12]}"
