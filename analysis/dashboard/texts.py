"""The dashboard's own texts in Dutch and English (``texts/<lang>.yaml``), read once, every key in both.

The numbers, KPI names, quadrants and column names come from the reports' texts
(:class:`analysis.report.i18n.Texts`), so the dashboard and the reports say the same
thing; only what is the dashboard's own (views, selectors, hover labels) is here.

Examples
--------
>>> DASHBOARD_STRINGS["view.kpis"]["en"], DASHBOARD_STRINGS["view.kpis"]["nl"]
('Key figures', 'Kerncijfers')
"""
from __future__ import annotations

from importlib import resources
from types import MappingProxyType

import yaml

from analysis.common.options import REPORT_LANGUAGES
from analysis.report.i18n import Texts


def _read(lang: str) -> dict:
    text = resources.files("analysis.dashboard").joinpath(f"texts/{lang}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_dashboard_strings(languages=REPORT_LANGUAGES) -> MappingProxyType:
    """Key -> {language: text}, read-only.

    Raises
    ------
    RuntimeError
        A text file whose keys differ from the others' or a value that is not text
        (a packaging bug, not something a user can cause).
    """
    per_language = {lang: _read(lang) for lang in languages}
    keys = list(per_language[languages[0]])
    for lang, texts in per_language.items():
        if set(texts) != set(keys):
            raise RuntimeError(f"dashboard texts/{lang}.yaml: keys differ from texts/{languages[0]}.yaml: "
                               f"{sorted(set(texts) ^ set(keys))[:10]}")
        odd = [k for k, v in texts.items() if not isinstance(v, str)]
        if odd:
            raise RuntimeError(f"dashboard texts/{lang}.yaml: not a text: {odd[:10]}")
    return MappingProxyType({k: MappingProxyType({lang: per_language[lang][k] for lang in languages}) for k in keys})


DASHBOARD_STRINGS = load_dashboard_strings()


class _Keep(dict):
    """Leaves a field not given (``{group}``) in place, for the page to fill in."""

    def __missing__(self, key):
        return "{" + key + "}"


def dashboard_text(key: str, t: Texts, **values) -> str:
    """The dashboard text ``key`` in ``t``'s language; ``{one}``/``{many}`` from ``t``'s nouns, other fields left.

    Fields not given (``{group}``, ``{kpi}``, ``{driver}``) stay in the text: the page
    fills them in with the selection.

    >>> dashboard_text("select.group", Texts("nl"))
    'Organisatie'
    >>> dashboard_text("kpis.by_channel", Texts("en"), level=95)
    '{kpi} of {group} per channel, with its 95% interval'
    """
    one, many = t.nouns or (t("group.one"), t("group.many"))
    nouns = {"one": one, "many": many, "One": one[:1].upper() + one[1:], "Many": many[:1].upper() + many[1:]}
    return DASHBOARD_STRINGS[key][t.lang].format_map(_Keep({**nouns, **values}))
