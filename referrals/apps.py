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
        from . import membership, orders, signals  # noqa: F401

        orders.register()  # the impossible orders the forms refuse (referrals/orders.py)

        post_migrate.connect(auditchain.ensure_append_only, sender=self, dispatch_uid="append-only")
