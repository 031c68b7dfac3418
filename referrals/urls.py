from django.urls import path

from . import audit_views, views

app_name = "referrals"

# <ref:reference>: referrals.converters (registered in apps.py).
case = "cases/<ref:reference>/"
urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_new, name="case-new"),
    path(case + "emergency-access/", audit_views.emergency_access, name="emergency-access"),
    path(case + "access-log/", audit_views.case_access_log, name="case-access-log"),
    path("access-log/users/<str:username>/", audit_views.user_access_log, name="user-access-log"),
    path("access-log/emergency/", audit_views.emergency_access_log, name="emergency-access-log"),
    path("access-grants/", audit_views.access_grants, name="access-grants"),
    path(case + "contacts/new/", views.add_contact, name="contact-new"),
    path(case + "notes/new/", views.add_note, name="note-new"),
    path(case + "owner/", views.change_owner, name="owner"),
    path(case + "consent/", views.record_consent, name="consent"),
]
