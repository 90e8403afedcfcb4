"""The passage pages."""

from django.urls import URLPattern, path

from parta.passage import views

urlpatterns: list[URLPattern] = [
    path("school/<int:school_id>/cards/", views.cards, name="school-cards"),
    path("school/<int:school_id>/cards/issue/", views.card_issue, name="school-card-issue"),
    path("school/<int:school_id>/cards/<int:card_id>/block/", views.card_block, name="school-card-block"),
    path(
        "school/<int:school_id>/cards/<int:card_id>/replace/", views.card_replace, name="school-card-replace"
    ),
    path("school/<int:school_id>/passages/", views.building_report, name="school-passages"),
    path("school/<int:school_id>/passages/day.xlsx", views.building_report_xlsx, name="school-passages-xlsx"),
    path("passage/classes/<int:class_group_id>/", views.class_presence, name="passage-class"),
    path("passage/today/", views.teacher_today, name="passage-today"),
    path("passage/flags/", views.flag_answer, name="passage-flag"),
    path("passage/children/<int:student_id>/", views.child_passages, name="passage-child"),
]
