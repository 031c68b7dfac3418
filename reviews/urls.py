from django.urls import path

from . import views, views_dashboard, views_pdf, views_timeline

app_name = "reviews"

case = "cases/<str:reference>/"
urlpatterns = [
    path("provider/", views.provider_cases, name="provider-cases"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard.csv", views_dashboard.dashboard_csv, name="dashboard-csv"),
    path("cases/import/", views_timeline.chronology_upload, name="chronology-import"),
    path(case + "timeline/", views_timeline.timeline, name="timeline"),
    path(case + "timeline.json", views_timeline.timeline_json_view, name="timeline-json"),
    path(case + "chronology.csv", views_timeline.chronology_csv, name="chronology-csv"),
    path(case + "import/", views_timeline.chronology_upload, name="case-import"),
    path(case + "panel-meetings/new/", views.panel_meeting_new, name="panel-meeting-new"),
    path(case + "actions/new/", views.action_new, name="action-new"),
    path(case + "actions/<int:pk>/done/", views.action_done, name="action-done"),
    path(case + "providers/new/", views.assignment_new, name="assignment-new"),
    path(case + "briefings/new/", views.briefing_new, name="briefing-new"),
    path(
        case + "briefings/<int:pk>/acknowledge/",
        views.briefing_acknowledge,
        name="briefing-acknowledge",
    ),
    path(case + "sessions/new/", views.session_new, name="session-new"),
    path(case + "sessions/<int:pk>/outcome/", views.session_outcome, name="session-outcome"),
    path(case + "accounts/new/", views.account_new, name="account-new"),
    path(case + "exit/", views.exit_new, name="exit"),
    path(case + "reopen/", views.reopen, name="reopen"),
    path(case + "reviews/<int:pk>/conduct/", views.review_conduct, name="review-conduct"),
    path(
        case + "reviews/<int:pk>/not-possible/",
        views.review_not_possible,
        name="review-not-possible",
    ),
    path(case + "reviews/<int:pk>/reassign/", views.review_reassign, name="review-reassign"),
    path(case + "chronology.pdf", views_pdf.chronology_pdf, name="chronology-pdf"),
]
