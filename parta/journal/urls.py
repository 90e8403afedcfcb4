from django.urls import URLPattern, URLResolver, path

from parta.journal import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("journal/", views.journal_list, name="journal"),
    path("journal/<int:assignment_id>/", views.journal_grid, name="journal-grid"),
    path("journal/<int:assignment_id>/export.xlsx", views.export_xlsx, name="journal-export-xlsx"),
    path("journal/<int:assignment_id>/export.csv", views.export_csv, name="journal-export-csv"),
    path(
        "journal/<int:assignment_id>/period-marks/<int:student_id>/",
        views.period_mark,
        name="journal-period-mark",
    ),
    path("journal/lessons/<int:lesson_id>/", views.lesson, name="journal-lesson"),
    path("journal/lessons/<int:lesson_id>/topic/", views.lesson_topic, name="journal-lesson-topic"),
    path(
        "journal/lessons/<int:lesson_id>/students/<int:student_id>/",
        views.cell,
        name="journal-cell",
    ),
    path("school/<int:school_id>/journal-history/", views.history_report, name="school-journal-history"),
    path(
        "school/<int:school_id>/periods/<int:period_id>/close/",
        views.period_close,
        name="school-period-close",
    ),
]
