from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and cases"

    def ready(self):
        from django.urls import register_converter

        from .converters import CaseReferenceConverter

        register_converter(CaseReferenceConverter, "ref")
        from django.db.models.signals import post_migrate

        from casereview import auditchain

        # signals connects the sign-in receivers; membership registers intake's sources.
        from . import membership, signals  # noqa: F401

        post_migrate.connect(auditchain.ensure_append_only, sender=self, dispatch_uid="append-only")
