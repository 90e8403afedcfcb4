from django.urls import URLPattern, URLResolver, path

from parta.diary import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("diary/", views.diary_home, name="diary"),
    path("diary/<int:student_id>/", views.diary_week_page, name="diary-week"),
    path("diary/<int:student_id>/marks/", views.diary_marks_page, name="diary-marks"),
    path("diary/<int:student_id>/marks/<slug:subject_code>/", views.diary_subject_page, name="diary-subject"),
    path("diary/<int:student_id>/attendance/", views.diary_attendance_page, name="diary-attendance"),
    path(
        "diary/<int:student_id>/absence-notices/<int:notice_id>/withdraw/",
        views.absence_notice_withdraw_view,
        name="diary-absence-notice-withdraw",
    ),
    path("diary/<int:student_id>/report-card/", views.diary_report_card_page, name="diary-report-card"),
    path("diary/<int:student_id>/report-card.pdf", views.diary_report_card_pdf, name="diary-report-card-pdf"),
]
