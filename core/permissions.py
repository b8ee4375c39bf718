"""The mechanism every app's permissions.py uses.

An app states who may do what as `can_<verb>(user, obj) -> bool` functions in
its own permissions.py. Services call `require(can_<verb>(...), message)`
before they change anything; views and serializers call the same functions to
decide what to offer; the permission matrix (tests/config/test_permission_matrix.py)
proves them from the outside."""

from django.core.exceptions import PermissionDenied


def require(allowed: bool, message: str = "You do not have permission to do that.") -> None:
    """Refuse (PermissionDenied: 403 on a page and in the API) unless allowed."""
    if not allowed:
        raise PermissionDenied(message)
