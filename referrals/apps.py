from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and cases"

    def ready(self):
        from casereview import auditchain

        auditchain.connect()
        from django.db.models.signals import post_migrate

        post_migrate.connect(auditchain.ensure_append_only, sender=self, dispatch_uid="append-only")
        from . import signals  # noqa: F401 - connects the sign-in receivers
