from django.urls import URLPattern, URLResolver, path

from parta.journal import views
from parta.journal.views import grading, plan

urlpatterns: list[URLPattern | URLResolver] = [
    path("journal/", views.journal_list, name="journal"),
    path("journal/<int:assignment_id>/", views.journal_grid, name="journal-grid"),
    path("journal/<int:assignment_id>/plan/", plan.plan, name="journal-plan"),
    path("journal/<int:assignment_id>/export.xlsx", views.export_xlsx, name="journal-export-xlsx"),
    path("journal/<int:assignment_id>/export.csv", views.export_csv, name="journal-export-csv"),
    path(
        "journal/<int:assignment_id>/period-marks/<int:student_id>/",
        views.period_mark,
        name="journal-period-mark",
    ),
    path("journal/lessons/<int:lesson_id>/", views.lesson, name="journal-lesson"),
    path("journal/lessons/<int:lesson_id>/topic/", views.lesson_topic, name="journal-lesson-topic"),
    path("journal/lessons/<int:lesson_id>/remarks/", views.lesson_remark_add, name="journal-lesson-remarks"),
    path(
        "journal/lessons/<int:lesson_id>/remarks/<int:remark_id>/withdraw/",
        views.lesson_remark_withdraw,
        name="journal-remark-withdraw",
    ),
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
    path("school/<int:school_id>/years/<int:year_id>/close/", views.year_close, name="school-year-close"),
    path("school/<int:school_id>/grading/", grading.grading_page, name="school-grading"),
    path(
        "school/<int:school_id>/grading/schemes/new/", grading.scheme_create, name="school-grading-scheme-new"
    ),
    path(
        "school/<int:school_id>/grading/schemes/<int:scheme_id>/",
        grading.scheme_edit,
        name="school-grading-scheme-edit",
    ),
    path(
        "school/<int:school_id>/grading/schemes/<int:scheme_id>/delete/",
        grading.scheme_delete,
        name="school-grading-scheme-delete",
    ),
    path(
        "school/<int:school_id>/control-forms/new/",
        grading.control_form_create,
        name="school-control-form-new",
    ),
    path(
        "school/<int:school_id>/control-forms/<int:form_id>/",
        grading.control_form_edit,
        name="school-control-form-edit",
    ),
    path(
        "school/<int:school_id>/control-forms/<int:form_id>/delete/",
        grading.control_form_delete,
        name="school-control-form-delete",
    ),
]
