"""Attributing history rows to the person a service acts for.

django-simple-history takes the user from the current request, but services
also run from management commands and Celery tasks, so they name the user
themselves. A user of None means Concord acted on its own (a scheduled job)."""

from simple_history.utils import bulk_create_with_history


def save_as(obj, user):
    obj._history_user = user
    obj.save()
    return obj


def delete_as(obj, user):
    obj._history_user = user
    obj.delete()


def bulk_create_as(model, objs, user):
    return bulk_create_with_history(list(objs), model, default_user=user)


def update_as(objs, user, **changes):
    """Change fields on each of `objs` row by row, so each change is in history."""
    for obj in objs:
        for name, value in changes.items():
            setattr(obj, name, value)
        save_as(obj, user)
