"""Texts of the report's body sections and appendices (Dutch and English); see :mod:`analysis.report.strings`."""
from __future__ import annotations


def _s(nl: str, en: str) -> dict:
    return {"nl": nl, "en": en}


SECTION_STRINGS = {
    # --- drivers
    "drivers.r2": _s(
        "Samen verklaren de {k} drivers {r2} ({r2_ci}) van de verschillen in {outcome} tussen klanten (R², {n} "
        "respondenten met een score op elke driver). De grafiek laat zien welk deel daarvan bij elke driver hoort.",
        "Together the {k} drivers explain {r2} ({r2_ci}) of the differences in {outcome} between customers (R², {n} "
        "respondents with a score on every driver). The chart shows which part of that goes with each driver."),
    "outcome.satisfaction": _s("tevredenheid", "satisfaction"), "outcome.csat": _s("CSAT", "CSAT"),
    "outcome.nps": _s("aanbevelingsbereidheid", "likelihood to recommend"), "outcome.ces": _s("klantinspanning",
                                                                                             "customer effort"),
    "figure.importance.title": _s("Belang van de drivers: {group}", "Importance of the drivers: {group}"),
    "figure.importance.caption": _s(
        "Belang = aandeel van de driver in de verklaarde verschillen in tevredenheid (LMG-aandeel van R², samen 100%). "
        "De strepen geven het {level}%-bootstrapinterval.",
        "Importance = the driver's share of the explained differences in satisfaction (LMG share of R², 100% in "
        "total). The whiskers show the {level}% bootstrap interval."),
    "figure.importance.x": _s("Aandeel in de verklaarde verschillen (% van R²)", "Share of the explained differences (% of R²)"),
    "drivers.matrix": _s("Belang tegenover prestatie: de prioriteitenmatrix", "Importance against performance: the priority matrix"),
    "drivers.matrix_intro": _s(
        "Elke driver staat op zijn belang (verticaal) en zijn prestatie (horizontaal, 0–100). De stippellijnen liggen "
        "op {crosshair} van de drivers: belang {imp}, prestatie {perf}. Ze verdelen de drivers in vier kwadranten "
        "(Martilla & James 1977). De strepen zijn de 95%-intervallen.",
        "Each driver is placed by its importance (vertical) and its performance (horizontal, 0–100). The dashed lines "
        "lie at {crosshair} of the drivers: importance {imp}, performance {perf}. They split the drivers into four "
        "quadrants (Martilla & James 1977). The whiskers are the 95% intervals."),
    "figure.priorities.title": _s("Prioriteitenmatrix: {group}", "Priority matrix: {group}"),
    "figure.priorities.caption": _s("Vorm en kleur geven het kwadrant; het gekleurde vlak linksboven is 'hier verbeteren'.",
                                    "Shape and colour give the quadrant; the shaded area top left is 'concentrate here'."),
    "figure.priorities.x": _s("Prestatie (gemiddelde score, 0–100)", "Performance (mean score, 0–100)"),
    "figure.priorities.y": _s("Belang (% van R²)", "Importance (% of R²)"),
    "versus.title": _s("Vergeleken met de rest van het onderzoek", "Compared with the rest of the study"),
    "versus.intro": _s(
        "Weegt een driver bij {group} zwaarder of lichter dan bij de andere organisaties samen? Het verschil in belang "
        "(procentpunten) met zijn bootstrapinterval; alleen als het interval 0 niet bevat, is het verschil duidelijk.",
        "Does a driver weigh more or less at {group} than at the other organisations together? The difference in "
        "importance (percentage points) with its bootstrap interval; only when the interval excludes 0 is the "
        "difference clear."),
    "figure.versus.title": _s("Verschil in belang: {group} tegenover de rest", "Difference in importance: {group} versus the rest"),
    "figure.versus.caption": _s("Gevulde stip: duidelijk verschil (interval zonder 0); open stip: geen duidelijk verschil.",
                                "Filled dot: clear difference (interval excludes 0); open dot: no clear difference."),
    "figure.versus.x": _s("Verschil in belang (procentpunten)", "Difference in importance (percentage points)"),
    "versus.table": _s("Belang en prestatie: {group} en het hele onderzoek", "Importance and performance: {group} and the whole study"),
    "versus.note": _s("Verschil = belang hier min belang bij alle andere organisaties samen, in procentpunten van R² "
                      "(95%-bootstrapinterval).", "Difference = importance here minus importance at all other "
                      "organisations together, in percentage points of R² (95% bootstrap interval)."),
    "versus.higher": _s("duidelijk zwaarder", "clearly higher"), "versus.lower": _s("duidelijk lichter", "clearly lower"),
    "versus.none": _s("geen duidelijk verschil", "no clear difference"),
    # --- overview (study)
    "overview.intro": _s("Per organisatie ('{by}'): hoeveel bruikbare respondenten er waren (niet gemarkeerd als "
                         "onbetrouwbaar), hoeveel er in de driveranalyse meetelden, hoeveel van de tevredenheid de "
                         "drivers verklaren, en welke drie drivers het eerst aandacht verdienen.",
                         "Per organisation ('{by}'): how many usable respondents there were (not flagged as "
                         "unreliable), how many counted in the driver analysis, how much of satisfaction the drivers "
                         "explain, and which three drivers deserve attention first."),
    "overview.table": _s("Overzicht per organisatie", "Overview per organisation"),
    "overview.note": _s("Respondenten zonder score op elke geanalyseerde driver tellen niet mee in de driveranalyse "
                        "(wachttijd en keuzemenu gelden alleen voor bellers); wel in de kerncijfers.",
                        "Respondents without a score on every analysed driver do not count in the driver analysis "
                        "(wait time and the menu apply to callers only); they do in the key figures."),
    "overview.differences": _s("Duidelijke verschillen tussen organisaties", "Clear differences between organisations"),
    "overview.differences_table": _s("Drivers die bij een organisatie duidelijk zwaarder of lichter wegen dan bij de rest",
                                     "Drivers that weigh clearly more or less at an organisation than at the rest"),
    "overview.no_differences": _s("Bij geen enkele organisatie weegt een driver duidelijk zwaarder of lichter dan bij de rest.",
                                  "At no organisation does a driver weigh clearly more or less than at the rest."),
    "col.group": _s("Organisatie", "Organisation"), "col.respondents": _s("Respondenten", "Respondents"),
    "col.usable": _s("Bruikbare respondenten", "Usable respondents"),
    "col.used": _s("In analyse", "Analysed"), "col.top": _s("Prioriteit {i}", "Priority {i}"),
    "col.channel": _s("Kanaal", "Channel"), "col.driver": _s("Driver", "Driver"),
    "col.importance.lmg": _s("Belang (% van R²)", "Importance (% of R²)"),
    "col.importance.weights": _s("Belang (relatief gewicht, % van R²)", "Importance (relative weight, % of R²)"),
    "col.importance.beta": _s("Belang (|bèta|, % van totaal)", "Importance (|beta|, % of total)"),
    "col.importance.sem": _s("Belang (|SEM-pad|, % van totaal)", "Importance (|SEM path|, % of total)"),
    "col.performance": _s("Prestatie (0–100)", "Performance (0–100)"), "col.quadrant": _s("Kwadrant", "Quadrant"),
    "col.rank": _s("Rang belang", "Importance rank"), "col.priority": _s("Prioriteit", "Priority"),
    "col.lmg_here": _s("Belang hier", "Importance here"), "col.lmg_all": _s("Belang totaal", "Importance, all"),
    "col.difference": _s("Verschil met de rest", "Versus the rest"), "col.verdict": _s("Oordeel", "Verdict"),
    "col.performance_here": _s("Prestatie hier", "Performance here"),
    "col.performance_all": _s("Prestatie totaal", "Performance, all"),
    # --- priorities
    "priorities.intro": _s(
        "Alle {k} drivers op volgorde van prioriteit. Drivers in 'hier verbeteren' komen eerst; daarna telt belang "
        "maal ruimte voor verbetering (100 min prestatie). De intervallen tonen hoe vast die volgorde ligt: 1–3 "
        "betekent dat de driver in een nieuwe steekproef op plaats 1, 2 of 3 kan eindigen.",
        "All {k} drivers in order of priority. Drivers in 'concentrate here' come first; then importance times "
        "room for improvement (100 minus performance) counts. The intervals show how firm that order is: 1–3 means "
        "the driver could end up in place 1, 2 or 3 in a new sample."),
    "priorities.table": _s("Prioriteiten: {group}", "Priorities: {group}"),
    "priorities.note": _s("Tussen haakjes: 95%-bootstrapinterval. Rang belang: 1 = zwaarst wegend. Prioriteit: 1 = eerst aanpakken.",
                          "In brackets: 95% bootstrap interval. Importance rank: 1 = weighs most. Priority: 1 = tackle first."),
    # --- voice
    "voice.promoters": _s("Aanbevelers (NPS 9–10)", "Promoters (NPS 9–10)"),
    "voice.passives": _s("Neutralen (NPS 7–8)", "Passives (NPS 7–8)"),
    "voice.detractors": _s("Criticasters (NPS 0–6)", "Detractors (NPS 0–6)"),
    "voice.count": _s("{shown} van {n} toelichtingen, willekeurig gekozen", "{shown} of {n} explanations, chosen at random"),
    "voice.note": _s(
        "Letterlijke toelichtingen van klanten, per NPS-groep willekeurig gekozen (met de seed van dit rapport, dus "
        "reproduceerbaar). Persoonsgegevens zijn vervangen door [e-mail], [telefoon], [IBAN], [postcode], [naam] of "
        "[link]; namen van medewerkers worden nooit getoond.",
        "Customers' own explanations, chosen at random per NPS group (with this report's seed, so reproducible). "
        "Personal data are replaced by [e-mail], [phone], [IBAN], [postcode], [name] or [link]; agents' names are "
        "never shown."),
    # --- method
    "method.importance": _s(
        "Belang. Per organisatie is {outcome} voorspeld uit de {k} driverscores (lineaire regressie). Het belang van "
        "een driver is zijn aandeel in de verklaarde variantie R² volgens de methode van Lindeman, Merenda en Gold "
        "(LMG, 1980): het gemiddelde van wat de driver toevoegt over alle volgordes van invoeren. De aandelen zijn "
        "nooit negatief en tellen op tot 100%. De prioriteiten gebruiken {measure}.",
        "Importance. Per organisation, {outcome} was predicted from the {k} driver scores (linear regression). A "
        "driver's importance is its share of the explained variance R² by the method of Lindeman, Merenda and Gold "
        "(LMG, 1980): the average of what the driver adds over all orders of entry. Shares are never negative and "
        "add up to 100%. The priorities use {measure}."),
    "measure.lmg": _s("het LMG-aandeel", "the LMG share"), "measure.weights": _s("relatieve gewichten (Johnson 2000)",
                                                                                "relative weights (Johnson 2000)"),
    "measure.beta": _s("absolute gestandaardiseerde bèta's", "absolute standardized betas"),
    "measure.sem": _s("absolute gestandaardiseerde paden van het structurele model", "absolute standardized paths of the structural model"),
    "method.performance": _s("Prestatie. De gemiddelde score van een driver (gemiddelde van zijn vier items, 1–7) "
                             "omgerekend naar 0–100: 1 wordt 0, 7 wordt 100.",
                             "Performance. A driver's mean score (mean of its four items, 1–7) rescaled to 0–100: "
                             "1 becomes 0, 7 becomes 100."),
    "method.quadrants": _s("Kwadranten. Belang en prestatie zijn gesplitst op {crosshair} van de {k} drivers "
                           "(Martilla & James 1977). De prioriteit zet 'hier verbeteren' voorop en ordent daarna op "
                           "belang × (100 − prestatie).",
                           "Quadrants. Importance and performance are split at {crosshair} of the {k} drivers "
                           "(Martilla & James 1977). The priority puts 'concentrate here' first and then orders by "
                           "importance × (100 − performance)."),
    "method.bootstrap": _s("Onzekerheid. Alle intervallen zijn {level}%-percentielintervallen uit {n} bootstrap-"
                           "trekkingen van respondenten per organisatie (seed {seed}); ook de rangen en prioriteiten "
                           "zijn in elke trekking opnieuw bepaald.",
                           "Uncertainty. All intervals are {level}% percentile intervals from {n} bootstrap resamples "
                           "of respondents per organisation (seed {seed}); ranks and priorities were redetermined in "
                           "every resample."),
    "method.kpis": _s("Kerncijfers. CSAT, FCR en CES % makkelijk met Wilson-intervallen (Wilson 1927), NPS met het "
                      "score-interval voor het verschil van twee aandelen van één steekproef (Rocks 2016), het CES-"
                      "gemiddelde met een t-interval op de logit-schaal (Lesaffre e.a. 2007); zo blijft elk interval "
                      "binnen de schaal en bevat het de schatting. Onder {n} antwoorden geen interval.",
                      "Key figures. CSAT, FCR and CES % easy with Wilson intervals (Wilson 1927), NPS with the score "
                      "interval for the difference of two shares of one sample (Rocks 2016), the CES mean with a t "
                      "interval on the logit scale (Lesaffre et al. 2007); so every interval stays within its scale "
                      "and contains its estimate. Below {n} answers no interval."),
    "method.caveats": _s("Kanttekeningen", "Caveats"),
    "caveat.association": _s("Belang is samenhang, geen bewijs van oorzaak: klanten die een driver hoog scoren zijn "
                             "tevredener, maar of verbeteren van die driver de tevredenheid verhoogt, toont dit onderzoek "
                             "niet aan.", "Importance is association, not proof of cause: customers who score a driver "
                             "high are more satisfied, but whether improving that driver raises satisfaction is not "
                             "shown by this study."),
    "caveat.small_n": _s("Bij minder dan {stable} respondenten per organisatie is de volgorde van de drivers onstabiel "
                         "(in simulaties stond de echte belangrijkste driver dan in ongeveer 80% van de steekproeven "
                         "bovenaan).", "With fewer than {stable} respondents per organisation the order of the drivers "
                         "is unstable (in simulations the truly most important driver then came first in about 80% of "
                         "samples)."),
    "caveat.coverage": _s("Percentiel-bootstrapintervallen van LMG-aandelen kunnen te smal zijn (ze missen de echte "
                          "waarde soms vaker dan 5% van de keren); lees ze als een ondergrens van de onzekerheid.",
                          "Percentile bootstrap intervals of LMG shares can be too narrow (they may miss the true value "
                          "more often than 5% of the time); read them as a lower bound of the uncertainty."),
    "caveat.phone_only": _s("Wachttijd en keuzemenu gelden alleen voor telefoon; de driveranalyse gebruikt daarom "
                            "vooral bellers. De kerncijfers gebruiken alle kanalen.",
                            "Wait time and the menu apply to the phone only, so the driver analysis mostly uses "
                            "callers. The key figures use every channel."),
    "caveat.min_group": _s("Groepen (organisaties, kanalen) met minder dan {n} bruikbare (niet gemarkeerde) "
                           "respondenten krijgen geen cijfers; de respondenten van zulke organisaties tellen nergens "
                           "in dit rapport mee.",
                           "Groups (organisations, channels) with fewer than {n} usable (not flagged) respondents get "
                           "no figures; the respondents of such organisations count nowhere in this report."),
    "method.technical": _s("Technische meldingen van de analyse (in het Engels, zoals de software ze geeft)",
                           "Technical notes from the analysis"),
    "method.details": _s("Statistische details per driver", "Statistical details per driver"),
    "method.details_table": _s("Details: {group}", "Details: {group}"),
    "method.details_note": _s(
        "LMG: aandeel in R² met 95%-bootstrapinterval. Bèta: gestandaardiseerde regressiecoëfficiënt (bootstrapinterval), "
        "p met HC3-standaardfouten. SEM: gestandaardiseerd pad van de latente driver naar de uitkomst (FIML). VIF > 5 "
        "wijst op overlap tussen drivers. Eerste: % van de bootstrap-trekkingen waarin de driver het zwaarst woog.",
        "LMG: share of R² with 95% bootstrap interval. Beta: standardized regression coefficient (bootstrap interval), "
        "p with HC3 standard errors. SEM: standardized path from the latent driver to the outcome (FIML). VIF > 5 "
        "signals overlap between drivers. First: % of bootstrap resamples in which the driver weighed most."),
    "col.lmg": _s("LMG (% van R²)", "LMG (% of R²)"), "col.beta": _s("Bèta", "Beta"), "col.beta_p": _s("p (bèta)", "p (beta)"),
    "col.sem": _s("SEM-pad", "SEM path"), "col.sem_p": _s("p (SEM)", "p (SEM)"), "col.p_first": _s("Eerste", "First"),
}
