from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and cases"

    def ready(self):
        from django.db.models.signals import post_migrate

        from casereview import auditchain

        from . import membership, signals  # noqa: F401 - signals connects the sign-in receivers

        membership.connect()

        post_migrate.connect(auditchain.ensure_append_only, sender=self, dispatch_uid="append-only")
