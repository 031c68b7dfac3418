from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Panels, interventions and reviews"

    def ready(self):
        # membership registers which reviews records make members.
        from . import links, membership, orders, outcomes  # noqa: F401

        orders.register()  # the impossible orders the forms refuse (reviews/orders.py)
        links.register()  # linked records kept in step on every save (reviews/links.py)
        outcomes.register()  # what gives a referral its outcome (reviews/outcomes.py)
