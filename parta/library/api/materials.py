"""The two addresses the catalogue and authoring share: ``materials`` (GET finds, POST creates)
and ``materials/{id}`` (GET reads, PUT saves a new version). One view per address, made of the
two use-cases' views, since Django routes by path before the method."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from rest_framework.permissions import SAFE_METHODS, BasePermission

from parta.accounts.permissions import IsPerson, IsPersonOrNobody
from parta.library.api.authoring import MaterialCreateApi, MaterialSaveApi
from parta.library.api.catalogue import MaterialDetailApi, MaterialListApi


def _permissions(request: Any) -> list[BasePermission]:
    """Reading is open to anyone but machines (each answer holds only what the reader may open);
    writing takes the API's usual signed-in person."""
    return [IsPersonOrNobody()] if request.method in SAFE_METHODS else [IsPerson()]


class MaterialsApi(MaterialCreateApi, MaterialListApi):
    def get_permissions(self) -> list[BasePermission]:
        return _permissions(self.request)


class MaterialApi(MaterialSaveApi, MaterialDetailApi):
    def get_permissions(self) -> list[BasePermission]:
        return _permissions(self.request)


urlpatterns: list[URLPattern | URLResolver] = [
    path("materials", MaterialsApi.as_view(), name="api-materials"),
    path("materials/<int:material_id>", MaterialApi.as_view(), name="api-material"),
]
