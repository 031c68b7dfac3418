from django.contrib.auth.backends import ModelBackend


class CaseReviewBackend(ModelBackend):
    """Django's model backend, loading the user's agency with the user (every page shows it)."""

    def get_user(self, user_id):
        from .models import User

        user = User.objects.select_related("agency").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
