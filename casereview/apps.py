from django.apps import AppConfig


class CasereviewConfig(AppConfig):
    """The core as an app: it owns the audit chain's storage (`AuditChainHead`)."""

    name = "casereview"
    label = "casereview"
    verbose_name = "Core"
