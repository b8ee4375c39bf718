"""`/`: the public landing page, or a signed-in person's role-aware home."""

from django.shortcuts import render

from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import Role
from contracts.models import Contract
from core.roles import is_admin, roles_of


def home(request):
    """`/`: the public landing page, or a signed-in person's role-aware home."""
    if not request.user.is_authenticated:
        return render(request, "reporting/landing.html")
    user = request.user
    memberships = list(user.memberships.select_related("organisation"))
    contracts = (
        Contract.objects.visible_to(user).select_related("commissioner", "provider")[:20]
        if is_admin(user) or roles_of(user) & set(PRIVATE_DATA_ROLES)
        else []
    )
    return render(
        request,
        "reporting/home.html",
        {
            "memberships": memberships,
            "contracts": contracts,
            "offers": Contract.objects.offers_to(user).select_related("commissioner"),
            "roles": roles_of(user),
            "Role": Role,
        },
    )
