"""The meals API (mounted at /api/v1/): the machines' endpoints."""

from django.urls import URLPattern, path

from parta.meals import api

urlpatterns: list[URLPattern] = [
    path("meals/sales", api.SaleApi.as_view(), name="api-meals-sales"),
    path("meals/menu", api.MenuApi.as_view(), name="api-meals-menu"),
    path("payments/<slug:provider>/callback", api.PaymentCallbackApi.as_view(), name="api-payments-callback"),
]
