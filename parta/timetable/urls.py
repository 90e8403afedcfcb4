from django.urls import URLPattern, URLResolver, path

from parta.timetable import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("timetable/", views.timetable_mine, name="timetable"),
    path("timetable/student/<int:student_id>/", views.timetable_student, name="timetable-student"),
    path("timetable/teacher/<int:teacher_id>/", views.timetable_teacher, name="timetable-teacher"),
    path("timetable/class/<int:class_group_id>/", views.timetable_class, name="timetable-class"),
    path("timetable/calendar/new-address/", views.calendar_reset, name="timetable-calendar-reset"),
    path("school/<int:school_id>/timetable/", views.template_page, name="school-timetable"),
    path("school/<int:school_id>/timetable/draft/", views.template_draft, name="school-timetable-draft"),
    path(
        "school/<int:school_id>/timetable/lessons/new/", views.slot_create, name="school-timetable-slot-new"
    ),
    path(
        "school/<int:school_id>/timetable/lessons/<int:slot_id>/",
        views.slot_edit,
        name="school-timetable-slot",
    ),
    path(
        "school/<int:school_id>/timetable/lessons/<int:slot_id>/delete/",
        views.slot_remove,
        name="school-timetable-slot-delete",
    ),
    path(
        "school/<int:school_id>/timetable/unavailability/",
        views.unavailability_page,
        name="school-timetable-unavailability",
    ),
    path("school/<int:school_id>/timetable/publish/", views.publish_page, name="school-timetable-publish"),
    path(
        "school/<int:school_id>/timetable/publications/<int:publication_id>/",
        views.publication_page,
        name="school-timetable-publication",
    ),
    path("school/<int:school_id>/substitutions/", views.substitutions_page, name="school-substitutions"),
    path(
        "school/<int:school_id>/lessons/<int:lesson_id>/change/",
        views.lesson_change_page,
        name="school-lesson-change",
    ),
    path(
        "school/<int:school_id>/lessons/<int:lesson_id>/hand-back/",
        views.lesson_hand_back_view,
        name="school-lesson-hand-back",
    ),
    path(
        "school/<int:school_id>/lessons/<int:lesson_id>/restore/",
        views.lesson_restore_view,
        name="school-lesson-restore",
    ),
    path("school/<int:school_id>/bells/", views.bell_list, name="school-bells"),
    path("school/<int:school_id>/bells/new/", views.bell_create, name="school-bell-new"),
    path("school/<int:school_id>/bells/<int:bell_id>/", views.bell_edit, name="school-bell-edit"),
    path("school/<int:school_id>/bells/<int:bell_id>/delete/", views.bell_remove, name="school-bell-delete"),
]
