"""Who holds which role: the memberships a user has, read once per request.

Role values are strings (contracts.choices.Role spells them); admins
(`is_staff`) pass every role check. Which organisations' data a role
reaches is a contracts rule: contracts.access.data_scope."""


def is_admin(user) -> bool:
    """Concord's administrators: signed-in staff."""
    return bool(user.is_authenticated and user.is_staff)


def roles_of(user) -> set[str]:
    """The roles a user holds anywhere, cached on the user object per request."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_concord_roles"):
        user._concord_roles = set(user.memberships.values_list("role", flat=True))
    return user._concord_roles


def has_role(user, *roles: str) -> bool:
    return is_admin(user) or bool(roles_of(user) & set(roles))
