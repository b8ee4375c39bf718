from django.shortcuts import render


def scorecard_list(request):
    """Public list of published scorecards (no sign-in needed).

    Publishing arrives with the dashboards issue; until a scorecard is
    published the page explains what will appear here.
    """
    return render(request, "outcomes/scorecard_list.html", {"scorecards": []})
