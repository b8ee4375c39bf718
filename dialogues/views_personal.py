"""A person's own settings: which reminders they receive (and those sent
lately), and their private calendar feed. Only the signed-in person's own
rows are read or written here, so there is no organisation scope to apply."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import TemplateView

from contracts.audit import save_as
from contracts.views.helpers import error_summary
from dialogues import reminders
from dialogues.forms import PreferenceForm
from dialogues.models import ReminderPreference

PREFERENCE_FIELDS = list(PreferenceForm.base_fields)


class PreferencesView(LoginRequiredMixin, TemplateView):
    """`/dialogues/preferences/`: see and change what you receive."""

    template_name = "dialogues/preferences.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.request.user
        pref = reminders.preference_of(person)
        context.setdefault(
            "form", PreferenceForm(initial={f: getattr(pref, f) for f in PREFERENCE_FIELDS})
        )
        context["recent"] = reminders.recent_for(person)
        context["has_email"] = bool(person.email)
        return context

    def post(self, request, *args, **kwargs):
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
