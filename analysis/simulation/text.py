"""Open 'why' answers for simulated studies: Dutch and English, composed from templates.

An answer reflects the respondent's own scores: praise of their strongest driver when
satisfied (satisfaction score >= 5.5), a complaint about their weakest when
dissatisfied (<= 3.5), both in between; respondents who rate every driver the same
(straight-liners) give a short neutral answer. About :data:`OTHER_THEME_SHARE` of the
answers that judge add a sentence about a theme besides the drivers (price, product,
outcome of the request, channel), praise or complaint as the answer's tone (either, when
mixed); the truth records every answer's themes for the theme coder to recover.
Openers, two-to-eight phrasings per driver and tone (written from the questionnaire's
item texts and the theme definitions of ``tests/data/themes/GUIDE.md``), and closers
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
from instrument import Instrument

PRAISE = {
    "nl": {
        "reliability": ["mijn vraag is in één keer goed opgelost", "ik kreeg precies te horen wat er ging gebeuren",
                        "de informatie klopte en de afspraken waren duidelijk", "ze stelden de juiste vragen en losten het meteen op",
                "mijn vraag werd meteen goed beantwoord", "het probleem is eindelijk verholpen", "ze legden duidelijk uit hoe het zit",
                "het werd in één keer goed afgehandeld", "ik weet nu precies waar ik aan toe ben", "de oplossing werkte meteen"],
        "empathy": ["de medewerker was heel vriendelijk en luisterde goed", "ik voelde me serieus genomen",
                    "de medewerker dacht echt met me mee", "ik ben erg geduldig en behulpzaam geholpen",
                "de dame aan de telefoon was ontzettend lief", "ik werd heel beleefd en hartelijk geholpen", "de medewerker had echt geduld met me", "ze toonde begrip voor mijn situatie",
                "de medewerker was heel hulpvaardig", "ze nam de tijd voor me", "de medewerker was erg sympathiek", "ik werd met respect behandeld"],
        "customer_focus": ["ze kwamen hun afspraak keurig na", "ik kreeg uit zichzelf goed advies",
                           "je merkt dat de klant hier voorop staat", "ze hebben echt iets gedaan met mijn eerdere opmerking",
                "ze belden me netjes terug zoals afgesproken", "ze deden meer dan nodig was", "ik kreeg ongevraagd een handige tip", "ze kwamen me tegemoet",
                "ze hielden zich aan hun belofte", "ze hebben me zelf op de hoogte gehouden", "ze boden uit zichzelf een oplossing aan", "ze waren heel flexibel"],
        "customer_knowledge": ["ze hadden al mijn gegevens direct bij de hand", "ik hoefde mijn verhaal niet opnieuw te vertellen",
                               "de medewerker wist van mijn eerdere contact", "ze wisten meteen welk abonnement ik heb",
                "de medewerker was goed op de hoogte van mijn situatie", "de medewerker had verstand van zaken", "ze kenden mijn voorgeschiedenis",
                "ze wisten direct wie ik was", "ze konden mijn vorige gesprek teruglezen", "de medewerker kende mijn contract"],
        "wait_time": ["ik had vrijwel direct iemand aan de lijn", "de wachttijd viel erg mee",
                      "ik hoefde niet lang in de wacht", "het was snel geregeld",
                "ik werd binnen een paar minuten geholpen", "ik kreeg binnen een dag antwoord op mijn mail", "ik hoefde bijna niet te wachten"],
        "accessibility": ["het telefoonnummer was makkelijk te vinden", "ze zijn ook 's avonds bereikbaar",
                          "contact opnemen ging heel makkelijk", "de openingstijden passen goed bij mij",
                "ze zijn ook in het weekend bereikbaar", "ik kon ze bereiken wanneer het mij uitkwam", "de contactgegevens stonden duidelijk op de site",
                "de klantenservice is goed bereikbaar", "ik vond het nummer meteen"],
        "menu": ["het keuzemenu was duidelijk", "via het keuzemenu kwam ik meteen bij de juiste afdeling",
                 "het keuzemenu was kort en logisch", "ik wist meteen welke optie ik moest kiezen",
                "het keuzemenu was helder", "met één toets zat ik bij de goede afdeling"],
    },
    "en": {
        "reliability": ["my issue was solved in one go", "they told me exactly what would happen next",
                        "the information was correct and the agreements were clear", "they asked the right questions and fixed it straight away",
                "my question was answered properly straight away", "the problem has finally been resolved", "they explained clearly how it works",
                "it was handled properly in one go", "now I know exactly where I stand", "the solution worked straight away"],
        "empathy": ["the agent was very friendly and listened well", "I felt taken seriously",
                    "the agent really thought along with me", "I was helped patiently and kindly",
                "the lady on the phone was lovely", "I was helped very politely and warmly", "the agent was really patient with me", "she showed understanding for my situation",
                "the agent was very helpful", "she took the time for me", "the agent was very sympathetic", "I was treated with respect"],
        "customer_focus": ["they kept their promise", "I got useful advice without asking",
                           "you can tell the customer comes first here", "they actually acted on my earlier feedback",
                "they called me back as agreed", "they went the extra mile", "I got a handy tip without asking", "they met me halfway",
                "they kept their word", "they kept me informed without me having to chase", "they offered a solution on their own initiative", "they were very flexible"],
        "customer_knowledge": ["they had all my details at hand", "I did not have to repeat my story",
                               "the agent knew about my earlier contact", "they knew right away which subscription I have",
                "the agent was well informed about my situation", "the agent really knew their stuff", "they knew my history",
                "they knew straight away who I was", "they could read back my previous conversation", "the agent knew my contract"],
        "wait_time": ["I got through almost immediately", "the waiting time was fine",
                      "I was not kept on hold for long", "it was sorted quickly",
                "I was helped within a few minutes", "I got a reply to my email within a day", "I hardly had to wait"],
        "accessibility": ["the phone number was easy to find", "they are reachable in the evening too",
                          "getting in touch was easy", "the opening hours suit me well",
                "they are reachable at the weekend too", "I could reach them when it suited me", "the contact details were clearly on the site",
                "customer service is easy to reach", "I found the number right away"],
        "menu": ["the phone menu was clear", "the menu put me straight through to the right department",
                 "the phone menu was short and logical", "I knew right away which option to choose",
                "the phone menu was straightforward", "one key press and I was at the right department"],
    },
}
COMPLAINT = {
    "nl": {
        "reliability": ["mijn probleem is nog steeds niet opgelost", "ik kreeg verkeerde informatie",
                        "niemand kon me vertellen wat er nu gaat gebeuren", "ik moest drie keer bellen voordat het goed was",
                "ik kreeg van iedere medewerker een ander antwoord", "het antwoord dat ik kreeg bleek niet te kloppen", "mijn vraag is maar half beantwoord", "ze hebben mijn vraag niet goed begrepen",
                "er ging weer iets mis", "het probleem is nog altijd niet verholpen", "ik kreeg tegenstrijdige informatie"],
        "empathy": ["de medewerker was kortaf en luisterde niet", "ik voelde me niet serieus genomen",
                    "er werd niet meegedacht, alleen naar de regels verwezen", "ik werd onvriendelijk te woord gestaan",
                "de medewerker was onbeleefd en ongeduldig", "ik werd afgescheept", "de medewerker had duidelijk geen zin", "er was geen enkel medeleven",
                "de medewerker was ongeïnteresseerd", "ik werd als een lastpost behandeld", "de medewerker was brutaal", "de medewerker praatte steeds door me heen"],
        "customer_focus": ["de beloofde terugbelafspraak is niet nagekomen", "het gaat ze alleen om hun eigen belang",
                           "er wordt niets gedaan met klachten van klanten", "ik kreeg geen enkel advies",
                "ze zouden me terugbellen maar dat is nooit gebeurd", "de beloofde e-mail heb ik nooit ontvangen", "ze houden zich niet aan hun afspraken", "het gaat ze alleen om mijn geld",
                "ik ben nooit teruggebeld", "ze komen hun beloftes niet na", "regels zijn regels, zeiden ze", "ik moest zelf steeds achter ze aan bellen", "als trouwe klant word je niet gewaardeerd"],
        "customer_knowledge": ["ik moest mijn verhaal weer helemaal opnieuw vertellen", "ze wisten niets van mijn eerdere contact",
                               "ze konden mijn gegevens niet vinden", "de medewerker wist niet welke producten ik heb",
                "ik werd steeds doorverbonden en moest alles opnieuw uitleggen", "de medewerker had geen idee waar het over ging", "ik moest alles weer van voren af aan vertellen",
                "ik werd van het kastje naar de muur gestuurd", "iedere medewerker vroeg weer hetzelfde", "ze hadden geen notitie van mijn vorige gesprek", "de medewerker had geen verstand van zaken"],
        "wait_time": ["ik hing veel te lang in de wacht", "de wachttijd was belachelijk lang",
                      "ik werd steeds weer in de wacht gezet", "bellen kost veel te veel geld",
                "ik heb een half uur naar de wachtmuziek geluisterd", "het duurde een week voordat ik antwoord kreeg op mijn mail", "ik stond een eeuwigheid in de wachtrij"],
        "accessibility": ["het telefoonnummer is nergens te vinden", "ze zijn alleen bereikbaar als ik zelf moet werken",
                          "je moet eerst door eindeloze veelgestelde vragen klikken", "de klantenservice is slecht bereikbaar",
                "ik kon ze op geen enkele manier bereiken", "de lijn was steeds in gesprek", "de openingstijden zijn veel te beperkt", "buiten kantoortijden is er niemand bereikbaar",
                "ze nemen de telefoon niet op", "de klantenservice is alleen op werkdagen open", "ik kreeg steeds de ingesprektoon"],
        "menu": ["het keuzemenu is veel te lang", "ik kwam via het keuzemenu bij de verkeerde afdeling",
                 "geen enkele optie in het keuzemenu paste bij mijn vraag", "het keuzemenu is onduidelijk",
                "ik moest eindeloos toetsen indrukken", "ik kwam in het keuzemenu steeds terug bij het begin", "de spraakcomputer begreep me niet"],
    },
    "en": {
        "reliability": ["my problem is still not solved", "I was given the wrong information",
                        "nobody could tell me what happens next", "I had to call three times before it was right",
                "every agent gave me a different answer", "the answer I got turned out to be wrong", "my question was only half answered", "they did not understand my question",
                "something went wrong again", "the problem still has not been fixed", "I got contradictory information"],
        "empathy": ["the agent was curt and did not listen", "I did not feel taken seriously",
                    "nobody thought along with me, they just quoted the rules", "the agent was unfriendly",
                "the agent was impolite and impatient", "I was fobbed off", "the agent clearly could not be bothered", "there was no sympathy at all",
                "the agent seemed uninterested", "I was treated like a nuisance", "the agent was downright rude", "the agent kept talking over me"],
        "customer_focus": ["the promised call-back never happened", "they only care about their own interests",
                           "nothing is done with customer complaints", "I got no advice at all",
                "they would call me back but it never happened", "the promised email never came", "they do not stick to their agreements", "all they care about is my money",
                "I was never called back", "they do not keep their promises", "rules are rules, they said", "I had to keep chasing them myself", "as a loyal customer you are not valued"],
        "customer_knowledge": ["I had to tell my whole story again", "they knew nothing about my earlier contact",
                               "they could not find my details", "the agent did not know which products I have",
                "I kept being transferred and had to explain everything again", "the agent had no idea what it was about", "I had to tell everything from the start again",
                "I was passed from pillar to post", "every agent asked the same questions again", "they had no record of my previous call", "the agent did not know what they were talking about"],
        "wait_time": ["I was on hold far too long", "the waiting time was ridiculous",
                      "I was put on hold again and again", "calling costs far too much",
                "I listened to the hold music for half an hour", "it took a week to get a reply to my email", "I was stuck in the queue forever"],
        "accessibility": ["the phone number is impossible to find", "they are only open while I am at work",
                          "you have to click through endless FAQs first", "customer service is hard to reach",
                "I could not reach them in any way", "the line was busy every time", "the opening hours are far too limited", "nobody is available outside office hours",
                "they do not answer the phone", "customer service is only open on weekdays", "I kept getting an engaged tone"],
        "menu": ["the phone menu is far too long", "the menu sent me to the wrong department",
                 "none of the menu options fitted my question", "the phone menu is confusing",
                "I had to press endless keys", "the phone menu kept sending me back to the start", "the voice system did not understand me"],
    },
}
# Themes besides the drivers (analysis.themes.lexicon.OTHER_THEMES; definitions in
# tests/data/themes/GUIDE.md): a share of the answers adds one sentence about one of them.
OTHER_PRAISE = {
    "nl": {"price": ["de prijs is heel redelijk", "het tarief is scherp", "voor die prijs kun je niet klagen"],
           "product": ["het product zelf is prima", "het pakket kwam in goede staat aan", "mijn verbinding is snel en stabiel"],
           "outcome": ["ik heb mijn geld teruggekregen", "mijn claim is toegekend", "mijn opzegging is netjes geregeld", "ik kreeg een vergoeding"],
           "channel": ["de website is duidelijk en overzichtelijk", "via de app kon ik alles zelf regelen", "de chat werkte prima", "inloggen op de website ging makkelijk"]},
    "en": {"price": ["the price is very reasonable", "the rate is competitive", "you cannot complain for that price"],
           "product": ["the product itself is fine", "the parcel arrived in good condition", "my connection is fast and stable"],
           "outcome": ["I got my money back", "my claim was approved", "my cancellation was handled neatly", "I received compensation"],
           "channel": ["the website is clear and well organised", "I could arrange everything myself in the app", "the chat worked fine", "logging in on the website was easy"]},
}
OTHER_COMPLAINT = {
    "nl": {"price": ["het abonnement is veel te duur geworden", "mijn maandbedrag is weer verhoogd", "de rekening was veel hoger dan verwacht", "ik betaal te veel voor wat ik krijg"],
           "product": ["mijn internet valt steeds weg", "het apparaat was bij aankomst kapot", "de kwaliteit van het product valt tegen", "er is alweer een storing"],
           "outcome": ["mijn claim is afgewezen", "ik krijg mijn geld niet terug", "mijn verzoek om compensatie is geweigerd", "mijn opzegging is nog steeds niet verwerkt"],
           "channel": ["de website is een doolhof", "ik kon niet inloggen in de app", "de chatbot begreep mijn vraag niet", "het formulier op de site werkt niet"]},
    "en": {"price": ["the subscription has become far too expensive", "my monthly fee went up again", "the bill was much higher than expected", "I pay too much for what I get"],
           "product": ["my internet keeps dropping out", "the device arrived broken", "the quality of the product is disappointing", "there is yet another outage"],
           "outcome": ["my claim was rejected", "I am not getting my money back", "my request for compensation was refused", "my cancellation still has not been processed"],
           "channel": ["the website is a maze", "I could not log in to the app", "the chatbot did not understand my question", "the form on the site does not work"]},
}
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
