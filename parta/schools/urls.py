from django.urls import URLPattern, URLResolver, path

from parta.schools.views import buildings, holidays, moves, pages, subgroups, years

urlpatterns: list[URLPattern | URLResolver] = [
    path("school/", pages.school_home, name="school"),
    path("school/<int:school_id>/classes/", pages.class_group_list, name="school-classes"),
    path("school/<int:school_id>/classes/new/", pages.class_group_create, name="school-class-new"),
    path(
        "school/<int:school_id>/classes/<int:class_group_id>/", pages.class_group_detail, name="school-class"
    ),
    path(
        "school/<int:school_id>/classes/<int:class_group_id>/enrol/",
        pages.student_enrol,
        name="school-class-enrol",
    ),
    path(
        "school/<int:school_id>/classes/<int:class_group_id>/invite/",
        pages.guardian_invite,
        name="school-guardian-invite",
    ),
    path(
        "school/<int:school_id>/classes/<int:class_group_id>/invitations/<int:invitation_id>/withdraw/",
        pages.guardian_invitation_withdraw,
        name="school-invitation-withdraw",
    ),
    path("invitations/", pages.invitations, name="invitations"),
    path(
        "invitations/<int:invitation_id>/<str:answer>/",
        pages.invitation_answer,
        name="invitation-answer",
    ),
    path("school/<int:school_id>/staff/", pages.staff_list, name="school-staff"),
    path("school/<int:school_id>/sign-in/", pages.sign_in_invitations, name="school-sign-in"),
    path("school/<int:school_id>/assignments/", pages.assignment_list, name="school-assignments"),
    path("school/<int:school_id>/assignments/new/", pages.assignment_create, name="school-assignment-new"),
    path("school/<int:school_id>/periods/", pages.period_list, name="school-periods"),
    path("school/<int:school_id>/periods/new/", pages.period_create, name="school-period-new"),
    path("school/<int:school_id>/periods/<int:period_id>/", pages.period_edit, name="school-period-edit"),
    path("school/<int:school_id>/devices/", pages.device_list, name="school-devices"),
    path(
        "school/<int:school_id>/devices/<int:client_id>/rotate/",
        pages.device_rotate,
        name="school-device-rotate",
    ),
    path(
        "school/<int:school_id>/devices/<int:client_id>/revoke/",
        pages.device_revoke,
        name="school-device-revoke",
    ),
    # Buildings and rooms.
    path("school/<int:school_id>/buildings/", buildings.building_list, name="school-buildings"),
    path("school/<int:school_id>/buildings/new/", buildings.building_create, name="school-building-new"),
    path(
        "school/<int:school_id>/buildings/<int:building_id>/",
        buildings.building_edit,
        name="school-building-edit",
    ),
    path(
        "school/<int:school_id>/buildings/<int:building_id>/delete/",
        buildings.building_delete,
        name="school-building-delete",
    ),
    path("school/<int:school_id>/rooms/new/", buildings.room_create, name="school-room-new"),
    path("school/<int:school_id>/rooms/<int:room_id>/", buildings.room_edit, name="school-room-edit"),
    path(
        "school/<int:school_id>/rooms/<int:room_id>/delete/", buildings.room_delete, name="school-room-delete"
    ),
    path("school/<int:school_id>/years/new/", years.year_create, name="school-year-new"),
    # Holidays (on the study periods page).
    path("school/<int:school_id>/holidays/new/", holidays.holiday_create, name="school-holiday-new"),
    path(
        "school/<int:school_id>/holidays/<int:holiday_id>/", holidays.holiday_edit, name="school-holiday-edit"
    ),
    path(
        "school/<int:school_id>/holidays/<int:holiday_id>/delete/",
        holidays.holiday_delete,
        name="school-holiday-delete",
    ),
    # A class group's subgroups and a student's move.
    path(
        "school/<int:school_id>/classes/<int:class_group_id>/subgroups/new/",
        subgroups.subgroup_create,
        name="school-subgroup-new",
    ),
    path(
        "school/<int:school_id>/classes/<int:class_group_id>/subgroups/<int:subgroup_id>/",
        subgroups.subgroup_members,
        name="school-subgroup",
    ),
    path(
        "school/<int:school_id>/classes/<int:class_group_id>/subgroups/<int:subgroup_id>/edit/",
        subgroups.subgroup_edit,
        name="school-subgroup-edit",
    ),
    path(
        "school/<int:school_id>/classes/<int:class_group_id>/subgroups/<int:subgroup_id>/delete/",
        subgroups.subgroup_delete,
        name="school-subgroup-delete",
    ),
    path(
        "school/<int:school_id>/classes/<int:class_group_id>/students/<int:student_id>/move/",
        moves.student_move,
        name="school-class-move",
    ),
]
