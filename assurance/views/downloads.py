"""`/assurance/rounds/<id>/<table>.<csv|xlsx>`: a table of a round's
scorecard as CSV or Excel, for the people who see the scorecard page (its
commissioner's people and the panel; anyone else gets the page's 404).
The tables are assurance.downloads'."""

from django.http import Http404
from django.views.generic import DetailView

from assurance.downloads import round_table
from assurance.views.rounds import RoundMixin
from core.exports import table_response


class ScorecardDownloadView(RoundMixin, DetailView):
    def get(self, request, *args, **kwargs):
        round = self.get_object()
        table = round_table(round, kwargs["table"], request.user)
        if table is None:
            raise Http404("No such table.")
        stem = f"assurance-{round.commissioner.code}-{round.year}-{table.name}"
        return table_response(stem, kwargs["format"], table.title, table.header, table.rows)
