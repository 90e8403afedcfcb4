"""The API's shared pieces: the flat input serializer of hot writes."""

from typing import Any

import pytest
from rest_framework import serializers

from parta.core.api import FlatInputSerializer, IdField


class _Input(FlatInputSerializer):
    lesson = IdField()
    value = serializers.IntegerField(min_value=1, max_value=5, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5)


def test_validates_like_a_serializer_with_deep_copies() -> None:
    ok = _Input(data={"lesson": "7", "value": 5})
    assert ok.is_valid(), ok.errors
    assert ok.validated_data == {"lesson": 7, "value": 5}
    bad = _Input(data={"lesson": 0, "value": 6, "comment": "too long"})
    assert not bad.is_valid()
    assert set(bad.errors) == {"lesson", "value", "comment"}


def test_each_instance_binds_its_own_fields() -> None:
    first, second = _Input(data={}), _Input(data={})
    for name in ("lesson", "value", "comment"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert second.fields[name].parent is second
        assert first.fields[name] is not _Input._declared_fields[name]


@pytest.mark.parametrize(
    "field",
    [
        serializers.ListField(child=serializers.IntegerField()),
        serializers.DictField(child=serializers.IntegerField()),
        serializers.ListSerializer(child=serializers.CharField()),
    ],
)
def test_a_field_with_children_is_refused(field: Any) -> None:
    with pytest.raises(TypeError, match="nested would be shared between instances"):
        type("Nested", (FlatInputSerializer,), {"nested": field})
