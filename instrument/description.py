"""What a questionnaire measures, in words and as facts, for texts that must hold for any instrument.

Reports and help texts describe the measurement model ("the eight-factor model: seven
drivers and satisfaction"), the scoring ("the mean of its four items") and which
drivers are limited to which channels. Those sentences must follow the questionnaire
actually used, not the shipped one; :func:`describe_instrument` derives them from the
instrument, in Dutch and English.

Examples
--------
>>> from instrument import load_instrument
>>> d = describe_instrument(load_instrument(), "en")
>>> d.measurement_model
'the eight-factor measurement model (seven drivers and satisfaction)'
>>> d.scoring
"each construct's score is the mean of its answered items (four per driver, three for satisfaction)"
>>> d.channels
'Wait time and Phone menu apply to the Phone channel only'
"""
from __future__ import annotations

from dataclasses import dataclass

from instrument.definition import Instrument
from instrument.errors import OptionError

DESCRIBED_LANGUAGES = ("nl", "en")
_NUMBERS = {
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"),
    "nl": ("nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf"),
}
_AND = {"en": "and", "nl": "en"}


@dataclass(frozen=True)
class InstrumentDescription:
    """Facts and sentences about an instrument, in one language.

    Attributes
    ----------
    lang : str
    drivers : tuple of str
        Driver keys, in questionnaire order.
    outcome : str
        The outcome construct's key.
    items_per_construct : dict
        Construct key -> number of items.
    channels_of_driver : dict
        Driver key -> the channels (keys) it is limited to, for drivers whose every item
        is limited to channels; drivers asked in every channel are absent.
    measurement_model : str
        E.g. "the eight-factor measurement model (seven drivers and satisfaction)".
    scoring : str
        How a construct score is made, with the number of items.
    channels : str
        Which drivers apply to which channels only, or that every driver applies to every channel.
    items_per_driver : str
        The drivers' numbers of items: 'four per driver', or each driver's label and count.
    limited_channels : str
        The channels the channel-limited drivers apply to, joined ('Phone'); '' when none.
    source : str
        The file name and the first 12 digits of its SHA-256 content hash.
    """

    lang: str
    drivers: tuple[str, ...]
    outcome: str
    items_per_construct: dict[str, int]
    channels_of_driver: dict[str, tuple[str, ...]]
    measurement_model: str
    scoring: str
    channels: str
    source: str
    items_per_driver: str = ""
    limited_channels: str = ""


def number_word(n: int, lang: str) -> str:
    """``n`` as a word up to twelve ('seven', 'zeven'), as digits above."""
    words = _NUMBERS[lang]
    return words[n] if 0 <= n < len(words) else str(n)


def join_words(words: list[str], lang: str) -> str:
    """'a', 'a and b', 'a, b and c' (Dutch 'en')."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {_AND[lang]} " + words[-1]


def _label(labels: dict[str, str], lang: str, fallback: str) -> str:
    """The label in ``lang``, else in English, else the key (an adapted file may lack a language)."""
    return labels.get(lang) or labels.get("en") or fallback


def channels_of_drivers(inst: Instrument) -> dict[str, tuple[str, ...]]:
    """Driver key -> channels it is limited to (union over its items), for drivers all of whose items are limited."""
    out = {}
    for c in inst.drivers:
        if c.items and all(i.channels for i in c.items):
            out[c.key] = tuple(sorted({ch for i in c.items for ch in i.channels}))
    return out


def describe_instrument(inst: Instrument, lang: str = "en", drivers=None) -> InstrumentDescription:
    """Describe the measurement model, the scoring and the channel limits of ``inst`` in ``lang`` (nl or en).

    Parameters
    ----------
    inst : Instrument
    lang : {'nl', 'en'}
    drivers : sequence of str, optional
        The drivers actually used (e.g. without a construct left out for absent item
        columns); every driver of ``inst`` by default.

    Returns
    -------
    InstrumentDescription
    """
    if lang not in DESCRIBED_LANGUAGES:
        raise OptionError("lang", f"must be one of {', '.join(DESCRIBED_LANGUAGES)}, got {lang!r}")
    drivers = tuple(d for d in inst.driver_keys if drivers is None or d in set(drivers))
    outcome = inst.outcome_construct
    counts = {c.key: len(c.items) for c in inst.constructs}
    n_factors = len(drivers) + 1
    outcome_label = _label(outcome.label, lang, outcome.key).lower()
    if lang == "en":
        model = (f"the {number_word(n_factors, lang)}-factor measurement model "
                 f"({number_word(len(drivers), lang)} driver{'s' if len(drivers) != 1 else ''} and {outcome_label})")
    else:
        model = (f"het meetmodel met {number_word(n_factors, lang)} factoren "
                 f"({number_word(len(drivers), lang)} driver{'s' if len(drivers) != 1 else ''} en {outcome_label})")
    distinct = sorted({counts[key] for key in drivers})
    if len(distinct) == 1:
        per_driver = f"{number_word(distinct[0], lang)} {'per driver' if lang == 'en' else 'per driver'}"
    else:
        per_driver = ", ".join(f"{_label(inst.construct(key).label, lang, key)} {counts[key]}" for key in drivers)
    n_outcome = number_word(counts[outcome.key], lang)
    if lang == "en":
        scoring = f"each construct's score is the mean of its answered items ({per_driver}, {n_outcome} for {outcome_label})"
    else:
        scoring = (f"de score van elk construct is het gemiddelde van de beantwoorde items ({per_driver}, "
                   f"{n_outcome} voor {outcome_label})")
    limited = {k: v for k, v in channels_of_drivers(inst).items() if k in drivers}
    channel_labels = {ch.key: _label(ch.label, lang, ch.key) for ch in inst.definition.choices.get("channel", [])}
    if not limited:
        channels = ("every driver applies to every channel" if lang == "en"
                    else "elke driver geldt voor elk kanaal")
    else:
        by_channels: dict[tuple[str, ...], list[str]] = {}
        for key, chans in limited.items():
            by_channels.setdefault(chans, []).append(_label(inst.construct(key).label, lang, key))
        parts = []
        for chans, labels in by_channels.items():
            where = join_words([channel_labels.get(ch, ch) for ch in chans], lang)
            verb_en = "applies" if len(labels) == 1 else "apply"
            verb_nl = "geldt" if len(labels) == 1 else "gelden"
            noun_en = "channel" if len(chans) == 1 else "channels"
            noun_nl = "kanaal" if len(chans) == 1 else "kanalen"
            article = "het" if len(chans) == 1 else "de"
            parts.append(f"{join_words(labels, lang)} {verb_en} to the {where} {noun_en} only" if lang == "en"
                         else f"{join_words(labels, lang)} {verb_nl} alleen voor {article} {noun_nl} {where}")
        channels = "; ".join(parts)
    source = f"{inst.source_file.name} (SHA-256 {inst.short_hash})"
    limited_channels = join_words([channel_labels.get(ch, ch) for ch in sorted({ch for chans in limited.values()
                                                                                 for ch in chans})], lang)
    return InstrumentDescription(
        lang=lang, drivers=drivers, outcome=outcome.key, items_per_construct=counts,
        channels_of_driver=limited, measurement_model=model, scoring=scoring, channels=channels, source=source,
        items_per_driver=per_driver, limited_channels=limited_channels,
    )
