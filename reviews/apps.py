from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Panels, interventions and reviews"

    def ready(self):
        # membership registers which reviews records make members.
        from . import membership, orders, outcomes  # noqa: F401

        orders.register()  # the impossible orders the forms refuse (reviews/orders.py)
        outcomes.register()  # what gives a referral its outcome (reviews/outcomes.py)
