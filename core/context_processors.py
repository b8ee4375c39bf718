from core.roles import is_admin


def roles(request):
    """`is_admin` for templates, so no template reads `user.is_staff` itself."""
    return {"is_admin": is_admin(request.user)}
