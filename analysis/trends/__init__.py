"""Trends across waves: KPIs and driver importance per wave, change between waves, control charts.

* :mod:`~analysis.trends.analyse` -- :func:`analyse_waves`;
* :mod:`~analysis.trends.changes` -- NPS and CSAT differences, the p-chart and its rules;
* :mod:`~analysis.trends.result` -- :class:`TrendAnalysis` (``summary()``, ``plot()``, ``plot_kpi()``,
  ``plot_importance()``);
* :mod:`~analysis.trends.plot` -- the charts, shared with the reports' 'Since the last wave'.
"""
