"""Every text of the reports in Dutch and English, by key (read through :class:`analysis.report.i18n.Texts`).

The texts are data, one YAML file per language (``texts/nl.yaml``, ``texts/en.yaml``),
as the questionnaire's texts are; this module reads them once and checks that every
key is in every language. Fields in braces are filled in by the caller. Driver, item
and channel labels come from the questionnaire (``inst.construct(key).label[lang]``),
not from here.

Examples
--------
>>> STRINGS["section.summary"]["en"], STRINGS["section.summary"]["nl"]
('Executive summary', 'Samenvatting')
"""
from __future__ import annotations

from importlib import resources
from types import MappingProxyType

import yaml

from analysis.common.options import REPORT_LANGUAGES


def _texts(lang: str) -> dict[str, str]:
    text = resources.files("analysis.report").joinpath(f"texts/{lang}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_strings(languages=REPORT_LANGUAGES) -> MappingProxyType:
    """Key -> {language: text}, read-only; a key missing in one language is a packaging error.

    Raises
    ------
    RuntimeError
        A text file whose keys differ from the others', or a text that is not a string
        (a bug of the package, not something a user can cause).
    """
    per_language = {lang: _texts(lang) for lang in languages}
    keys = list(per_language[languages[0]])
    for lang, texts in per_language.items():
        if set(texts) != set(keys):
            raise RuntimeError(f"texts/{lang}.yaml: keys differ from texts/{languages[0]}.yaml: "
                               f"{sorted(set(texts) ^ set(keys))[:10]}")
        odd = [k for k, v in texts.items() if not isinstance(v, str)]
        if odd:
            raise RuntimeError(f"texts/{lang}.yaml: not a text: {odd[:10]}")
    return MappingProxyType({k: MappingProxyType({lang: per_language[lang][k] for lang in languages}) for k in keys})


# Read-only: the texts are constants, not options to change at run time.
STRINGS = load_strings()
