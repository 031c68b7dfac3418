from django.urls import path

from . import audit_views, views

app_name = "referrals"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_new, name="case-new"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path(
        "cases/<str:reference>/emergency-access/",
        audit_views.emergency_access,
        name="emergency-access",
    ),
    path("cases/<str:reference>/access-log/", audit_views.case_access_log, name="case-access-log"),
    path("access-log/users/<str:username>/", audit_views.user_access_log, name="user-access-log"),
    path("access-log/emergency/", audit_views.emergency_access_log, name="emergency-access-log"),
    path("cases/<str:reference>/contacts/new/", views.add_contact, name="contact-new"),
    path("cases/<str:reference>/notes/new/", views.add_note, name="note-new"),
    path("cases/<str:reference>/owner/", views.change_owner, name="owner"),
    path("cases/<str:reference>/consent/", views.record_consent, name="consent"),
    path(
        "cases/<str:reference>/records/<slug:kind>/<int:pk>/edit/",
        views.record_edit,
        name="record-edit",
    ),
    path(
        "cases/<str:reference>/records/<slug:kind>/<int:pk>/void/",
        views.record_void,
        name="record-void",
    ),
    path(
        "cases/<str:reference>/records/<slug:kind>/<int:pk>/history/",
        views.record_history,
        name="record-history",
    ),
]
