"""The meals pages."""

from django.urls import URLPattern, path

from parta.meals.views import cafeteria, family, provider

urlpatterns: list[URLPattern] = [
    path("meals/", family.meals_home, name="meals"),
    path("meals/<int:student_id>/", family.meals_child, name="meals-child"),
    path("meals/<int:student_id>/limits/", family.meals_settings, name="meals-settings"),
    path("meals/<int:student_id>/stop-list/", family.meals_stop_list, name="meals-stop-list"),
    path("meals/<int:student_id>/top-up/", family.meals_top_up, name="meals-top-up"),
    path("meals/<int:student_id>/statement.pdf", family.meals_statement_pdf, name="meals-statement"),
    path("meals/pay/<slug:reference>/", provider.meals_pay, name="meals-pay"),
    path("school/<int:school_id>/meals/", cafeteria.school_meals, name="school-meals"),
    path(
        "school/<int:school_id>/meals/report.xlsx", cafeteria.school_meals_report, name="school-meals-report"
    ),
    path(
        "school/<int:school_id>/meals/items/new/",
        cafeteria.school_meals_item_new,
        name="school-meals-item-new",
    ),
    path(
        "school/<int:school_id>/meals/items/<int:item_id>/",
        cafeteria.school_meals_item,
        name="school-meals-item",
    ),
    path(
        "school/<int:school_id>/meals/menus/<int:building_id>/<str:day>/",
        cafeteria.school_meals_menu,
        name="school-meals-menu",
    ),
    path(
        "school/<int:school_id>/meals/entitlements/",
        cafeteria.school_meals_entitlements,
        name="school-meals-entitlements",
    ),
    path(
        "school/<int:school_id>/meals/entitlements/<int:entitlement_id>/end/",
        cafeteria.school_meals_entitlement_end,
        name="school-meals-entitlement-end",
    ),
    path(
        "school/<int:school_id>/meals/students/",
        cafeteria.school_meals_students,
        name="school-meals-students",
    ),
    path(
        "school/<int:school_id>/meals/students/<int:student_id>/",
        cafeteria.school_meals_student,
        name="school-meals-student",
    ),
    path(
        "school/<int:school_id>/meals/sales/<int:sale_id>/refund/",
        cafeteria.school_meals_refund,
        name="school-meals-refund",
    ),
]
