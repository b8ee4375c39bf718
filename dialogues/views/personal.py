"""A person's own settings: which reminders they receive (and those sent
lately), and their private calendar feed. Only the signed-in person's own
rows are read or written here, so there is no organisation scope to apply;
like the rest of dialogues they are for the roles that see private data
(lay partners, who see no dialogues, are refused)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from contracts.access import PRIVATE_DATA_ROLES
from core.history import save_as
from core.views import RoleRequiredMixin, error_summary
from dialogues import calendar, reminders
from dialogues.forms import PreferenceForm
from dialogues.models import CalendarFeed, ReminderPreference

PREFERENCE_FIELDS = list(PreferenceForm.base_fields)


class PreferencesView(RoleRequiredMixin, TemplateView):
    """`/dialogues/preferences/`: see and change what you receive."""

    template_name = "dialogues/preferences.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.request.user
        pref = reminders.preference_of(person)
        context.setdefault(
            "form", PreferenceForm(initial={f: getattr(pref, f) for f in PREFERENCE_FIELDS})
        )
        context["recent"] = reminders.recent_for(person)
        context["has_email"] = bool(person.email)
        feed = calendar.feed_of(person)
        if feed is not None:
            context["feed_url"] = self.request.build_absolute_uri(
                reverse("dialogues:calendar-feed", args=[feed.token])
            )
        return context

    def post(self, request, *args, **kwargs):
        op = request.POST.get("op")
        if op == "renew-feed":
            calendar.renew_feed(request.user)
            messages.success(
                request, "Your calendar feed has a new address. Any old one no longer works."
            )
            return redirect(reverse("dialogues:preferences") + "#calendar")
        if op == "revoke-feed":
            calendar.revoke_feed(request.user)
            messages.success(request, "Your calendar feed is turned off.")
            return redirect(reverse("dialogues:preferences") + "#calendar")
        form = PreferenceForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(
                self.get_context_data(form=form, errors=error_summary(form))
            )
        pref = ReminderPreference.objects.filter(person=request.user).first()
        pref = pref or ReminderPreference(person=request.user)
        for name in PREFERENCE_FIELDS:
            setattr(pref, name, form.cleaned_data[name])
        save_as(pref, request.user)
        messages.success(request, "Your reminder choices are saved.")
        return redirect("dialogues:preferences")


def calendar_feed(request, token: str):
    """`/dialogues/calendar/<token>.ics`: no sign-in (calendar apps cannot),
    the unguessable token is the key. An unknown, revoked or renewed token, or
    an inactive account, is a 404."""
    feed = CalendarFeed.objects.filter(token=token).select_related("person").first()
    if feed is None or not feed.person.is_active:
        raise Http404("No such calendar feed.")
    meetings = calendar.meetings_for(feed.person, timezone.now())
    body = calendar.build(
        meetings,
        url_for=lambda m: request.build_absolute_uri(
            reverse("dialogues:meeting-detail", args=[m.pk])
        ),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="concord-meetings.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
