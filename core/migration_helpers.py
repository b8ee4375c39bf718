"""Helpers for migrations that move a model from one app to another.

A move is a state-only migration plus a table rename (docs/architecture.md,
Migrations). Django's content types (and the permissions and admin log
entries that point at them) are keyed by app label, so after a move they
would still name the old app: the admin's permissions for the model would
be orphaned and new ones created beside them. `content_types_follow` gives
a RunPython operation that carries them over."""

from django.db import migrations

DEPENDENCIES = [
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("admin", "0003_logentry_add_action_flag_choices"),
]


def content_types_follow(from_app: str, to_app: str, models: list[str]):
    """A RunPython operation: the content types of `models` (lower-case model
    names) move from `from_app` to `to_app`, with their permissions, the
    groups and people holding them, and admin log entries. Where `to_app`'s
    content type already exists (post_migrate ran between the two halves of
    a move), the old one's grants join it and the old one goes."""

    def forwards(apps, schema_editor):
        _move(apps, schema_editor.connection.alias, from_app, to_app, models)

    def backwards(apps, schema_editor):
        _move(apps, schema_editor.connection.alias, to_app, from_app, models)

    return migrations.RunPython(forwards, backwards)


def _move(apps, db, from_app, to_app, models):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    types = ContentType.objects.using(db)
    for model in models:
        old = types.filter(app_label=from_app, model=model).first()
        if old is None:
            continue
        new = types.filter(app_label=to_app, model=model).first()
        if new is None:
            old.app_label = to_app
            old.save(update_fields=["app_label"])
            continue
        for permission in Permission.objects.using(db).filter(content_type=old):
            same = (
                Permission.objects.using(db)
                .filter(content_type=new, codename=permission.codename)
                .first()
            )
            if same is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            same.group_set.add(*permission.group_set.all())
            same.user_set.add(*permission.user_set.all())
            permission.delete()
        LogEntry.objects.using(db).filter(content_type=old).update(content_type=new)
        old.delete()
