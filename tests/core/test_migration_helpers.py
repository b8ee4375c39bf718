"""When a model moves app, its content type, permissions, the grants of
them and admin log entries follow it (core.migration_helpers)."""

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from core.migration_helpers import _move
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def old_content_type(model="publishedscorecard"):
    """The state a database is in before the move: the type under outcomes."""
    ContentType.objects.filter(app_label="reporting", model=model).delete()
    old = ContentType.objects.create(app_label="outcomes", model=model)
    Permission.objects.create(content_type=old, codename=f"view_{model}", name="Can view")
    return old


def test_a_content_type_left_behind_is_renamed_with_its_grants():
    old = old_content_type()
    group = Group.objects.create(name="Publishers")
    group.permissions.add(Permission.objects.get(content_type=old))
    _move(apps, "default", "outcomes", "reporting", ["publishedscorecard"])
    moved = ContentType.objects.get(pk=old.pk)
    assert moved.app_label == "reporting"
    assert not ContentType.objects.filter(app_label="outcomes", model="publishedscorecard")
    assert list(group.permissions.values_list("content_type__app_label", "codename")) == [
        ("reporting", "view_publishedscorecard")
    ]
    assert moved.model_class().__name__ == "PublishedScorecard"


def test_where_both_exist_the_grants_and_log_join_the_new_type():
    old = ContentType.objects.create(app_label="outcomes", model="publishedscorecard")
    new = ContentType.objects.get(app_label="reporting", model="publishedscorecard")
    duplicate = Permission.objects.create(content_type=old, codename="view_publishedscorecard")
    only_old = Permission.objects.create(content_type=old, codename="audit_publishedscorecard")
    person = UserFactory()
    person.user_permissions.add(duplicate, only_old)
    LogEntry.objects.create(
        user=person, content_type=old, object_id="1", object_repr="x", action_flag=ADDITION
    )
    _move(apps, "default", "outcomes", "reporting", ["publishedscorecard"])
    assert not ContentType.objects.filter(pk=old.pk).exists()
    held = set(person.user_permissions.values_list("content_type_id", "codename"))
    assert held == {(new.pk, "view_publishedscorecard"), (new.pk, "audit_publishedscorecard")}
    assert LogEntry.objects.get(user=person).content_type_id == new.pk


def test_nothing_to_move_is_no_change():
    before = list(ContentType.objects.order_by("pk").values_list("app_label", "model"))
    _move(apps, "default", "outcomes", "reporting", ["publishedscorecard"])
    assert list(ContentType.objects.order_by("pk").values_list("app_label", "model")) == before
