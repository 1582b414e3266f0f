"""An interactive dashboard of a study in one offline HTML file (:func:`build_dashboard`).

``content`` assembles what it shows from the reports' results under the reports'
privacy rules (pure; ``waves`` and ``open_answers`` the rows of the waves and themes
views), ``specs`` holds its charts (Vega-Lite), ``render`` writes the self-contained
page, ``build`` ties them together.
"""
from analysis.dashboard.build import Dashboard, build_dashboard
from analysis.dashboard.content import dashboard_content

__all__ = ["Dashboard", "build_dashboard", "dashboard_content"]
