from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, path

from parta.web import views
from parta.web.forms import LoginForm

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            redirect_authenticated_user=True,
            authentication_form=LoginForm,
        ),
        name="login",
    ),
    # Logging out changes state, so it is a POST (Django refuses GET for it as well).
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/devices/", views.my_devices, name="my-devices"),
]
