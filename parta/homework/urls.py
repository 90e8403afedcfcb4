from django.urls import URLPattern, URLResolver, path

from parta.homework import views, views_work

urlpatterns: list[URLPattern | URLResolver] = [
    path("lessons/<int:lesson_id>/homework/", views.lesson_homework, name="homework-lesson"),
    path("homework/", views.homework_list, name="homework-list"),
    path("homework/<int:homework_id>/edit/", views.homework_edit, name="homework-edit"),
    path("homework/<int:homework_id>/delete/", views.homework_delete, name="homework-delete"),
    path("homework/<int:homework_id>/done/", views.homework_tick, name="homework-tick"),
    path("homework/files/<int:file_id>/", views.homework_file, name="homework-file"),
    *views_work.urlpatterns,
]
