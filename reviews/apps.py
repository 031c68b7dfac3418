from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Panels, interventions and reviews"

    def ready(self):
        from . import membership  # noqa: F401 - registers which reviews records make members
