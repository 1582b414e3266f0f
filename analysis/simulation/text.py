"""Open 'why' answers for simulated studies: Dutch and English, composed from templates.

An answer reflects the respondent's own scores: praise of their strongest driver when
satisfied (satisfaction score >= 5.5), a complaint about their weakest when
dissatisfied (<= 3.5), both in between; respondents who rate every driver the same
(straight-liners) give a short neutral answer. About :data:`OTHER_THEME_SHARE` of the
answers that judge add a sentence about a theme besides the drivers (price, product,
outcome of the request, channel), praise or complaint as the answer's tone (either, when
mixed); the truth records every answer's themes for the theme coder to recover.
Openers, ten to forty phrasings per driver and tone (the phrase bank,
:mod:`analysis.simulation.phrases`), and closers
combine into several hundred distinct answers per language. A share are empty. To exercise the report's masking and escaping, a few
percent carry **fake** personal data (e-mail addresses on example.nl/example.com,
well-known example phone numbers, the textbook example IBANs, made-up postcodes, an
agent's first name) and a couple are hostile HTML. No real people are named.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from analysis.scoring.scores import construct_scores
from analysis.simulation.phrases import COMPLAINT, OTHER_COMPLAINT, OTHER_PRAISE, PRAISE  # noqa: F401 (re-exported)
from instrument import Instrument

OTHER_THEME_SHARE = .3
OTHER_THEMES = ("price", "product", "outcome", "channel")

OPENERS = {
    "nl": {"praise": ["", "Heel tevreden.", "Prima geholpen.", "Top service!", "Goed contact gehad.", "Zeer tevreden over het contact."],
           "complaint": ["", "Slechte ervaring.", "Erg teleurgesteld.", "Helaas niet goed geholpen.", "Dit kan echt beter.", "Ontevreden."]},
    "en": {"praise": ["", "Very happy.", "Well helped.", "Great service!", "Good contact.", "Very satisfied with the contact."],
           "complaint": ["", "Bad experience.", "Very disappointed.", "Unfortunately not helped well.", "This really can be better.", "Unhappy."]},
}
CLOSERS = {
    "nl": {"praise": ["", "Ga zo door!", "Dank jullie wel.", "Zo hoort het.", "Complimenten.", "Ik kom graag terug."],
           "complaint": ["", "Dit moet beter.", "Ik overweeg over te stappen.", "Heel frustrerend.", "Niet oké.", "Jammer."]},
    "en": {"praise": ["", "Keep it up!", "Thank you.", "That is how it should be.", "Compliments.", "Happy to come back."],
           "complaint": ["", "This has to improve.", "I am thinking of switching.", "Very frustrating.", "Not OK.", "Shame."]},
}
# Drivers of an adapted questionnaire that the phrase bank does not know get these.
GENERIC_PRAISE = {"nl": ["de service was goed", "ik ben goed geholpen", "dit ging echt goed"],
                  "en": ["the service was good", "I was helped well", "this went really well"]}
GENERIC_COMPLAINT = {"nl": ["de service kan veel beter", "ik ben niet goed geholpen", "dit ging echt mis"],
                     "en": ["the service could be much better", "I was not helped well", "this went really wrong"]}
CONNECTORS = {"nl": ["Maar", "Minpunt:", "Wel jammer:", "Alleen:"], "en": ["But", "Downside:", "Pity though:", "Only:"]}
NEUTRAL = {"nl": ["Prima.", "Geen opmerkingen.", "Het was oké.", "Niets bijzonders.", "n.v.t.", "-"],
           "en": ["Fine.", "No comments.", "It was OK.", "Nothing special.", "n/a", "-"]}

# Fake personal data. Phone numbers are the usual Dutch example numbers and numbers
# reserved for fiction (UK 020 7946 0xxx, US 555-01xx); the IBANs are the textbook
# examples (NL91ABNA0417164300 and the ISO 13616 / Wikipedia ones).
FAKE_EMAIL_USERS = ["jan.jansen", "sanne.devries", "klant1984", "p.voorbeeld", "test.persoon", "m.de.boer"]
FAKE_EMAIL_DOMAINS = ["example.nl", "example.com"]
FAKE_PHONES = ["06-12345678", "06 12345678", "+31 6 1234 5678", "+31612345678", "020-123 4567",
               "010-123 4567", "+44 20 7946 0958", "+1 202 555 0143"]
FAKE_IBANS = ["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "NL20INGB0001234567",
              "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432"]
FAKE_AGENT_NAMES = ["Sanne", "Daan", "Fatima", "Kevin", "Lotte", "Mohammed", "Priya", "Bram"]
PERSONAL_TEMPLATES = {
    "nl": {"email": ["Mail me gerust op {email}.", "Mijn e-mailadres is {email}"],
           "phone": ["Bel me terug op {phone}.", "Mijn nummer: {phone}"],
           "iban": ["Het geld moet terug op {iban}.", "Mijn rekeningnummer is {iban}."],
           "postcode": ["Ik woon op {postcode}.", "Stuur het naar {postcode}."],
           "agent_name": ["{name} heeft me super geholpen.", "Vraag maar na bij {name}."]},
    "en": {"email": ["Email me at {email}.", "My email address is {email}"],
           "phone": ["Call me back on {phone}.", "My number: {phone}"],
           "iban": ["Refund to {iban} please.", "My account number is {iban}."],
           "postcode": ["My address is {postcode}.", "Send it to {postcode}."],
           "agent_name": ["{name} was very helpful.", "Ask {name}, they know."]},
}
HOSTILE = ["<script>alert(1)</script>", "Goed geholpen <b>bold</b>"]
EMOJI = {"praise": " 🙂", "complaint": " 😡"}
_POSTCODE_LETTERS = "ABCDEGHJKLMNPRTVWXZ"


def compose_answer(lang: str, tone: str, strongest: str, weakest: str, choice: Sequence[int]) -> str:
    """One open answer from the phrase bank; ``choice`` holds non-negative integers that pick the variants.

    Examples
    --------
    >>> compose_answer("nl", "complaint", "empathy", "wait_time", [1, 0, 1, 0, 0])
    'Slechte ervaring. Ik hing veel te lang in de wacht.'
    """
    def pick(options: Sequence[str], k: int) -> str:
        return options[choice[k] % len(options)]

    def sentence(text: str) -> str:
        return text[0].upper() + text[1:] + "."

    if tone == "neutral":
        return pick(NEUTRAL[lang], 0)
    if tone == "mixed":
        good = sentence(pick(PRAISE[lang].get(strongest, GENERIC_PRAISE[lang]), 1))
        bad = pick(COMPLAINT[lang].get(weakest, GENERIC_COMPLAINT[lang]), 2) + "."
        return f"{good} {pick(CONNECTORS[lang], 3)} {bad}"
    bank, generic = (PRAISE, GENERIC_PRAISE) if tone == "praise" else (COMPLAINT, GENERIC_COMPLAINT)
    driver = strongest if tone == "praise" else weakest
    parts = [pick(OPENERS[lang][tone], 0), sentence(pick(bank[lang].get(driver, generic[lang]), 1)),
             pick(CLOSERS[lang][tone], 3) if choice[4] % 2 else ""]
    return " ".join(p for p in parts if p)


def compose_open_answers(rng: np.random.Generator, inst: Instrument, items: pd.DataFrame,
                         features, respondent_ids: Sequence[str]) -> tuple[list[str | None], dict]:
    """Open answers for every respondent, and the ids of those with planted personal data or HTML.

    Parameters
    ----------
    rng : numpy.random.Generator
    inst : Instrument
    items : DataFrame
        The respondents' item answers in file codes (99 = not applicable, NaN = blank).
    features : DataFeatures
        Shares of empty, English and personal-data answers; hostile answers per 1,000.
    respondent_ids : sequence of str

    Returns
    -------
    answers : list of str or None
        None for an empty answer.
    planted : dict
        ``personal_data`` (kind -> respondent ids), ``hostile`` (ids), ``themes`` (theme ->
        'praise'/'complaint' -> ids of the answers written about it: the drivers of
        :func:`compose_answer` and, in :data:`OTHER_THEME_SHARE` of the judging answers, one
        sentence about price, product, outcome or channel), ``open_answers``
        (counts of non-empty and English answers).
    """
    n = items.shape[0]
    scores = construct_scores(items.where(items != 99), inst)
    drivers = inst.driver_keys
    driver_scores = scores[drivers].to_numpy()
    jitter = rng.uniform(0, 1e-6, driver_scores.shape)  # breaks ties at random
    strongest = np.nanargmax(np.where(np.isnan(driver_scores), -np.inf, driver_scores + jitter), axis=1)
    weakest = np.nanargmin(np.where(np.isnan(driver_scores), np.inf, driver_scores + jitter), axis=1)
    spread = np.nanmax(driver_scores, axis=1) - np.nanmin(driver_scores, axis=1)
    satisfaction = scores[inst.outcome_construct.key].fillna(scores[drivers].mean(axis=1)).to_numpy()
    tone = np.select([spread == 0, satisfaction >= 5.5, satisfaction <= 3.5], ["neutral", "praise", "complaint"], "mixed")

    nonempty = rng.random(n) >= features.empty_why_share
    english = nonempty & (rng.random(n) < features.english_share)
    personal = nonempty & (rng.random(n) < features.personal_data_share)
    kinds = list(PERSONAL_TEMPLATES["nl"])
    personal_kind = rng.integers(0, len(kinds), n)
    choices = rng.integers(0, 10_000, (n, 8))
    extras = rng.random((n, 2))
    # A spawned stream for the non-driver themes: the draws of ``rng`` after this stay as they were.
    other = rng.spawn(1)[0].random((n, 4))
    answers: list[str | None] = []
    planted: dict = {"personal_data": {k: [] for k in kinds}, "hostile": [],
                     "themes": {t: {"praise": [], "complaint": []} for t in (*PRAISE["nl"], *OTHER_THEMES)}}
    for i in range(n):
        if not nonempty[i]:
            answers.append(None)
            continue
        lang = "en" if english[i] else "nl"
        text = compose_answer(lang, str(tone[i]), drivers[strongest[i]], drivers[weakest[i]], choices[i])
        _record_driver_themes(planted["themes"], respondent_ids[i], str(tone[i]), drivers[strongest[i]],
                              drivers[weakest[i]])
        if tone[i] != "neutral" and other[i, 0] < OTHER_THEME_SHARE:
            theme = OTHER_THEMES[int(other[i, 1] * len(OTHER_THEMES))]
            polarity = str(tone[i]) if tone[i] != "mixed" else ("praise" if other[i, 2] < .5 else "complaint")
            options = (OTHER_PRAISE if polarity == "praise" else OTHER_COMPLAINT)[lang][theme]
            sentence = options[int(other[i, 3] * len(options))]
            text += f" {sentence[0].upper()}{sentence[1:]}."
            planted["themes"][theme][polarity].append(respondent_ids[i])
        if tone[i] in EMOJI and extras[i, 0] < .02:
            text += EMOJI[tone[i]]
        if personal[i]:
            kind = kinds[personal_kind[i]]
            extra = _personal_sentence(lang, kind, choices[i, 5:])
            text += ("\n" if extras[i, 1] < .2 else " ") + extra
            planted["personal_data"][kind].append(respondent_ids[i])
        answers.append(text)
    n_hostile = min(n, max(2, round(features.hostile_per_1000 * n / 1000))) if features.hostile_per_1000 > 0 else 0
    for k, i in enumerate(sorted(rng.choice(n, size=n_hostile, replace=False))):
        answers[i] = HOSTILE[k % len(HOSTILE)]
        planted["hostile"].append(respondent_ids[i])
        for ids in [*planted["personal_data"].values(), *(v for t in planted["themes"].values() for v in t.values())]:
            if respondent_ids[i] in ids:
                ids.remove(respondent_ids[i])
    planted["open_answers"] = {"nonempty": sum(a is not None for a in answers), "english": int(english.sum())}
    return answers, planted


def _record_driver_themes(themes: dict, respondent: str, tone: str, strongest: str, weakest: str) -> None:
    """Add the driver themes :func:`compose_answer` writes for this tone to the planted truth."""
    if tone in ("praise", "mixed") and strongest in themes:
        themes[strongest]["praise"].append(respondent)
    if tone in ("complaint", "mixed") and weakest in themes:
        themes[weakest]["complaint"].append(respondent)


def _personal_sentence(lang: str, kind: str, choice: Sequence[int]) -> str:
    """A sentence with one piece of fake personal data of the given kind."""
    template = PERSONAL_TEMPLATES[lang][kind][choice[0] % 2]
    a, b = int(choice[1]), int(choice[2])
    values = {
        "email": f"{FAKE_EMAIL_USERS[a % len(FAKE_EMAIL_USERS)]}@{FAKE_EMAIL_DOMAINS[b % 2]}",
        "phone": FAKE_PHONES[a % len(FAKE_PHONES)],
        "iban": FAKE_IBANS[a % len(FAKE_IBANS)],
        "postcode": ("1234 AB 12" if a % 4 == 0 else
                     f"{1000 + a % 9000} {_POSTCODE_LETTERS[b % 19]}{_POSTCODE_LETTERS[(a + b) % 19]} {1 + b % 150}"),
        "name": FAKE_AGENT_NAMES[a % len(FAKE_AGENT_NAMES)],
    }
    return template.format(**values)
