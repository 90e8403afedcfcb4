from django.urls import URLPattern, path

from parta.accounts import views

urlpatterns: list[URLPattern] = [
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("password/welcome/<uidb64>/<token>/", views.PasswordSetConfirmView.as_view(), name="password-set"),
]
