from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and cases"

    def ready(self):
        from casereview import auditchain

        auditchain.connect()
        from . import signals  # noqa: F401 - connects the sign-in receivers
