"""Who may change what in performance dialogues (docs/permissions.md).

Reads are scoped by dialogues.querysets (`visible_to`); these functions
decide writes. Services (dialogues.services, dialogues.agenda) call the
`require_` functions, core.permissions.require with the refusal's wording,
before they change anything; views and API views call the `can_` functions
to decide what to offer, and the `require_` ones to refuse (403) before
reading a request's body."""

from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import Role
from contracts.models import Membership
from core.permissions import require
from core.roles import has_role, is_admin
from dialogues.choices import Attendance

# Who sets up and changes meeting series: the role gate of the series pages
# and API (which series a person may change is can_manage_series).
SERIES_MANAGER_ROLES = (Role.COMMISSIONER, Role.NETWORK_MANAGER)


def _role_org_ids(user, *roles) -> set[int]:
    return set(
        Membership.objects.filter(user=user, role__in=roles).values_list(
            "organisation_id", flat=True
        )
    )


def chairs(user, meeting) -> bool:
    """The chair check: `user` chairs `meeting` (the meeting's own chair, or
    its series' chair when the meeting has none). Admins are not chairs:
    each can_ function says whether they act as one."""
    return user.pk == meeting.chair_id_effective


def can_set_up_series(user) -> bool:
    """Offer "set up a meeting series": network managers and commissioners
    (and admins). Which series they may set up is can_manage_series."""
    return has_role(user, *SERIES_MANAGER_ROLES)


def can_manage_series(user, series) -> bool:
    """Set up and change `series` (saved, or about to be): admins; the
    managers of the network (or provider) it is about; and for a series
    about a contract, that contract's commissioner's people, while the
    contract binds. A series belongs to its contract for its whole life
    (dialogues.services.meetings), so holding another contract with the
    same network gives nothing on it; a series about no contract (the
    network's own) is its managers' alone."""
    if is_admin(user):
        return True
    if series.provider_id in _role_org_ids(user, Role.NETWORK_MANAGER):
        return True
    contract = series.contract if series.contract_id else None
    return (
        contract is not None
        and contract.is_binding
        and contract.commissioner_id in _role_org_ids(user, Role.COMMISSIONER)
    )


def can_contribute(user, meeting) -> bool:
    """Log actions at `meeting`: its chair and its series' chair, named
    participants of its series, the network's managers, people of a
    participating organisation, admins."""
    series = meeting.series
    if is_admin(user) or chairs(user, meeting) or user.pk == series.chair_id:
        return True
    if series.participants.filter(pk=user.pk).exists():
        return True
    mine = _role_org_ids(user, *PRIVATE_DATA_ROLES)
    if series.provider_id in _role_org_ids(user, Role.NETWORK_MANAGER):
        return True
    return bool(mine & set(series.organisations.values_list("pk", flat=True)))


def can_record_attendance(user, meeting) -> bool:
    """Attendance at `meeting`: its chair, the network's managers, admins. Not
    every participant: being recorded present is what lets someone edit the
    minutes, so nobody may record it for themselves."""
    if is_admin(user) or chairs(user, meeting):
        return True
    return meeting.series.provider_id in _role_org_ids(user, Role.NETWORK_MANAGER)


def can_record_minutes(user, meeting) -> bool:
    """Minutes and decisions of `meeting`: its chair, those recorded present
    at it, admins."""
    if is_admin(user) or chairs(user, meeting):
        return True
    return meeting.attendance.filter(person=user, status=Attendance.PRESENT).exists()


def can_edit_agenda(user, meeting) -> bool:
    """Edit, redraft, reorder `meeting`'s agenda: its chair, admins."""
    return is_admin(user) or chairs(user, meeting)


def action_updater(user):
    """can_update_action for many actions (a page's action tables): the
    user's roles are read once. Returns a function of the action."""
    managed = _role_org_ids(user, Role.NETWORK_MANAGER)

    def can_update(action) -> bool:
        if is_admin(user) or user.pk in (action.owner_id, action.created_by_id):
            return True
        if action.provider_id in managed:
            return True
        return action.meeting_id is not None and chairs(user, action.meeting)

    return can_update


def can_update_action(user, action) -> bool:
    """Edit `action`, move its status, add milestones and evidence: its owner,
    whoever logged it, the network's managers, the chair of the meeting that
    raised it, admins."""
    return action_updater(user)(action)


# --- Refusals: the can_ functions above, with what the person is told --------


def require_series_manager(user, series) -> None:
    require(
        can_manage_series(user, series),
        "Only the network's managers, the commissioner of the contract the series is "
        "about, or an admin can set up or change this meeting series.",
    )


def require_contributor(user, meeting) -> None:
    require(can_contribute(user, meeting), "Only the meeting's participants can do this.")


def require_attendance_recorder(user, meeting) -> None:
    require(
        can_record_attendance(user, meeting),
        "Only the chair or the network's managers can record attendance at this meeting.",
    )


def require_recorder(user, meeting, what: str) -> None:
    """`what` completes "Only the chair or someone recorded as present can
    ... of this meeting." ("edit the minutes", "record the decisions")."""
    require(
        can_record_minutes(user, meeting),
        f"Only the chair or someone recorded as present can {what} of this meeting.",
    )


def require_agenda_editor(user, meeting) -> None:
    require(can_edit_agenda(user, meeting), "Only the meeting's chair can change its agenda.")


def require_action_editor(user, action) -> None:
    require(
        can_update_action(user, action),
        "Only the action's owner, whoever logged it, the network's managers or the "
        "meeting's chair can change it.",
    )
