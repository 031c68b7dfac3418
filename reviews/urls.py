from django.urls import path

from .views import case as case_views
from .views import dashboard, loops, pdf, records, timeline

app_name = "reviews"

# <ref:reference>: referrals.converters.
case = "cases/<ref:reference>/"
urlpatterns = [
    path("", case_views.home, name="home"),
    path("start/", case_views.start, name="start"),
    path(case, case_views.case_detail, name="case"),
    path(case + "records/<slug:kind>/<int:pk>/edit/", case_views.record_edit, name="record-edit"),
    path(case + "records/<slug:kind>/<int:pk>/void/", case_views.record_void, name="record-void"),
    path(
        case + "records/<slug:kind>/<int:pk>/history/",
        case_views.record_history,
        name="record-history",
    ),
    path("provider/", records.provider_cases, name="provider-cases"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard.csv", dashboard.dashboard_csv, name="dashboard-csv"),
    path("dashboard/entered-from-documents/", dashboard.backfills, name="backfills"),
    path("cases/import/", timeline.chronology_upload, name="chronology-import"),
    path(case + "timeline/", timeline.timeline, name="timeline"),
    path(case + "timeline.json", timeline.timeline_json_view, name="timeline-json"),
    path(case + "chronology.csv", timeline.chronology_csv, name="chronology-csv"),
    path(case + "import/", timeline.chronology_upload, name="case-import"),
    path(case + "panel-meetings/new/", records.panel_meeting_new, name="panel-meeting-new"),
    path(case + "actions/new/", records.action_new, name="action-new"),
    path(case + "actions/<int:pk>/done/", records.action_done, name="action-done"),
    path(case + "providers/new/", records.assignment_new, name="assignment-new"),
    path(case + "briefings/new/", records.briefing_new, name="briefing-new"),
    path(
        case + "briefings/<int:pk>/acknowledge/",
        records.briefing_acknowledge,
        name="briefing-acknowledge",
    ),
    path(case + "sessions/new/", records.session_new, name="session-new"),
    path(case + "sessions/<int:pk>/outcome/", records.session_outcome, name="session-outcome"),
    path(case + "sessions/<int:pk>/confirm/", loops.session_confirm, name="session-confirm"),
    path(case + "questions/new/", loops.question_new, name="question-new"),
    path(case + "questions/<int:pk>/answer/", loops.question_answer, name="question-answer"),
    path(case + "accounts/new/", records.account_new, name="account-new"),
    path(case + "exit/", records.exit_new, name="exit"),
    path(case + "reopen/", records.reopen, name="reopen"),
    path(case + "reviews/<int:pk>/conduct/", records.review_conduct, name="review-conduct"),
    path(
        case + "reviews/<int:pk>/not-possible/",
        records.review_not_possible,
        name="review-not-possible",
    ),
    path(case + "reviews/<int:pk>/reassign/", records.review_reassign, name="review-reassign"),
    path(case + "chronology.pdf", pdf.chronology_pdf, name="chronology-pdf"),
]
