"""Admins edit the assessment framework here (every change kept in history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assurance.models import Competency, GovernanceQuestion, Measure, ReviewCycle


class MeasureInline(admin.StackedInline):
    model = Measure
    extra = 0
    fields = [
        "number",
        "name",
        "method",
        "evidence_expected",
        "statement",
        "level_1",
        "level_2",
        "level_3",
        "level_4",
    ]


@admin.register(Competency)
class CompetencyAdmin(SimpleHistoryAdmin):
    list_display = ["number", "name"]
    inlines = [MeasureInline]


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "competency", "method"]
    list_filter = ["method", "competency"]


@admin.register(GovernanceQuestion)
class GovernanceQuestionAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "question"]


@admin.register(ReviewCycle)
class ReviewCycleAdmin(SimpleHistoryAdmin):
    """A commissioner's interval between full reviews (default 3 years)."""

    list_display = ["commissioner", "full_review_every"]
