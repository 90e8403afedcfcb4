from django.urls import URLPattern, URLResolver, path

from parta.schools import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("school/", views.school_home, name="school"),
    path("school/<int:school_id>/classes/", views.class_group_list, name="school-classes"),
    path("school/<int:school_id>/classes/new/", views.class_group_create, name="school-class-new"),
    path(
        "school/<int:school_id>/classes/<int:class_group_id>/", views.class_group_detail, name="school-class"
    ),
    path(
        "school/<int:school_id>/classes/<int:class_group_id>/enrol/",
        views.student_enrol,
        name="school-class-enrol",
    ),
    path(
        "school/<int:school_id>/classes/<int:class_group_id>/invite/",
        views.guardian_invite,
        name="school-guardian-invite",
    ),
    path(
        "school/<int:school_id>/classes/<int:class_group_id>/invitations/<int:invitation_id>/withdraw/",
        views.guardian_invitation_withdraw,
        name="school-invitation-withdraw",
    ),
    path("invitations/", views.invitations, name="invitations"),
    path(
        "invitations/<int:invitation_id>/<str:answer>/",
        views.invitation_answer,
        name="invitation-answer",
    ),
    path("school/<int:school_id>/staff/", views.staff_list, name="school-staff"),
    path("school/<int:school_id>/sign-in/", views.sign_in_invitations, name="school-sign-in"),
    path("school/<int:school_id>/assignments/", views.assignment_list, name="school-assignments"),
    path("school/<int:school_id>/assignments/new/", views.assignment_create, name="school-assignment-new"),
    path("school/<int:school_id>/periods/", views.period_list, name="school-periods"),
    path("school/<int:school_id>/periods/new/", views.period_create, name="school-period-new"),
    path("school/<int:school_id>/periods/<int:period_id>/", views.period_edit, name="school-period-edit"),
    path("school/<int:school_id>/devices/", views.device_list, name="school-devices"),
    path(
        "school/<int:school_id>/devices/<int:client_id>/rotate/",
        views.device_rotate,
        name="school-device-rotate",
    ),
    path(
        "school/<int:school_id>/devices/<int:client_id>/revoke/",
        views.device_revoke,
        name="school-device-revoke",
    ),
]
