from django.urls import URLPattern, URLResolver, path

from parta.timetable import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("timetable/", views.timetable_mine, name="timetable"),
    path("timetable/student/<int:student_id>/", views.timetable_student, name="timetable-student"),
    path("timetable/teacher/<int:teacher_id>/", views.timetable_teacher, name="timetable-teacher"),
    path("timetable/class/<int:class_group_id>/", views.timetable_class, name="timetable-class"),
    path("timetable/calendar/new-address/", views.calendar_reset, name="timetable-calendar-reset"),
]
