"""Texts of the appendices (validation, data quality, questionnaire, reproducing) and the workbook."""
from __future__ import annotations


def _s(nl: str, en: str) -> dict:
    return {"nl": nl, "en": en}


APPENDIX_STRINGS = {
    # --- validation
    "validation.intro": _s(
        "Meet de vragenlijst wat hij moet meten? Een confirmatieve factoranalyse (CFA) van het meetmodel met acht "
        "factoren (zeven drivers en tevredenheid) op {n} respondenten; ontbrekende antwoorden: {method}. Elk cijfer "
        "staat naast de drempel uit de literatuur (✓ gehaald, ✗ niet gehaald).",
        "Does the questionnaire measure what it should? A confirmatory factor analysis (CFA) of the eight-factor "
        "measurement model (seven drivers and satisfaction) on {n} respondents; missing answers: {method}. Each figure "
        "is set against the threshold from the literature (✓ met, ✗ not met)."),
    "missing.ml": _s("full-information maximum likelihood (FIML)", "full-information maximum likelihood (FIML)"),
    "missing.listwise": _s("alleen volledige antwoorden (listwise)", "complete answers only (listwise)"),
    "validation.whole_only": _s("De validatie is berekend op het hele onderzoek, niet per '{by}'.",
                                "The validation was computed on the whole study, not per '{by}'."),
    "validation.fit": _s("Fit van het meetmodel", "Fit of the measurement model"),
    "validation.fit_note": _s("Drempels: CFI en TLI ≥ 0,95, RMSEA ≤ 0,06 (met 90%-interval), SRMR ≤ 0,08 (Hu & Bentler 1999).",
                              "Thresholds: CFI and TLI ≥ 0.95, RMSEA ≤ 0.06 (with 90% interval), SRMR ≤ 0.08 (Hu & Bentler 1999)."),
    "validation.reliability": _s("Betrouwbaarheid per construct: {group}", "Reliability per construct: {group}"),
    "validation.reliability_note": _s(
        "Drempels: alfa ≥ 0,70 (Nunnally 1978), omega ≥ 0,70 (Dunn, Baguley & Brunsden 2014), composite reliability "
        "(CR) ≥ 0,70 (Hair e.a.; Bagozzi & Yi 1988 aanvaarden 0,60), AVE ≥ 0,50 (Fornell & Larcker 1981).",
        "Thresholds: alpha ≥ 0.70 (Nunnally 1978), omega ≥ 0.70 (Dunn, Baguley & Brunsden 2014), composite "
        "reliability (CR) ≥ 0.70 (Hair et al.; Bagozzi & Yi 1988 accept 0.60), AVE ≥ 0.50 (Fornell & Larcker 1981)."),
    "validation.htmt": _s("Onderscheidende validiteit (HTMT): {group}", "Discriminant validity (HTMT): {group}"),
    "validation.htmt_note": _s("HTMT tussen elk paar constructen (kolomnummers = rijnummers). Drempel: < 0,85 streng, < 0,90 "
                               "ruim (Henseler, Ringle & Sarstedt 2015).", "HTMT between each pair of constructs (column "
                               "numbers = row numbers). Threshold: < 0.85 strict, < 0.90 liberal (Henseler, Ringle & "
                               "Sarstedt 2015)."),
    "validation.fl_pass": _s("Fornell-Larcker-criterium: voor elk construct is de wortel uit de AVE groter dan zijn "
                             "correlaties met alle andere constructen (gehaald).", "Fornell-Larcker criterion: for every "
                             "construct the square root of the AVE exceeds its correlations with every other construct (met)."),
    "validation.fl_fail": _s("Fornell-Larcker-criterium niet gehaald voor: {constructs}.",
                             "Fornell-Larcker criterion not met for: {constructs}."),
    "validation.invariance": _s("Meetinvariantie tussen de organisaties", "Measurement invariance across the organisations"),
    "validation.invariance_note": _s(
        "Gelden de metingen in elke organisatie hetzelfde? Een stap houdt stand als de CFI met niet meer dan 0,01 daalt "
        "(Cheung & Rensvold 2002); aanvullend RMSEA-stijging ≤ 0,015 en SRMR-stijging ≤ 0,030 (metrisch) of ≤ 0,010 "
        "(scalair) (Chen 2007). Pas bij scalaire invariantie zijn gemiddelden tussen organisaties goed te vergelijken.",
        "Do the measures work the same in every organisation? A step holds when CFI drops by no more than 0.01 "
        "(Cheung & Rensvold 2002); in addition RMSEA rise ≤ 0.015 and SRMR rise ≤ 0.030 (metric) or ≤ 0.010 "
        "(scalar) (Chen 2007). Only with scalar invariance can means be compared fairly across organisations."),
    "invariance.configural": _s("configuraal (zelfde structuur)", "configural (same structure)"),
    "invariance.metric": _s("metrisch (gelijke ladingen)", "metric (equal loadings)"),
    "invariance.scalar": _s("scalair (ook gelijke intercepten)", "scalar (also equal intercepts)"),
    "invariance.strict": _s("strikt (ook gelijke residuen)", "strict (also equal residuals)"),
    "invariance.means": _s("gelijke gemiddelden", "equal means"),
    "validation.loadings": _s("Gestandaardiseerde factorladingen: {group}", "Standardized factor loadings: {group}"),
    "validation.loadings_note": _s("Een lading van 0,70 of meer betekent dat het construct minstens de helft van de "
                                   "variantie van het item verklaart.", "A loading of 0.70 or more means the construct "
                                   "explains at least half of the item's variance."),
    "col.meets": _s("Voldoet ({rule})", "Meets ({rule})"), "col.construct": _s("Construct", "Construct"),
    "col.items": _s("Items", "Items"), "col.level": _s("Niveau", "Level"), "col.holds": _s("Houdt stand", "Holds"),
    "col.item": _s("Item", "Item"), "col.loading": _s("Lading", "Loading"), "col.se": _s("SE", "SE"),
    # --- data quality
    "quality.intro": _s("Wat is er ingelezen uit {file}, wat is gebruikt en wat niet, en waarom. Niemand valt "
                        "stilzwijgend weg: elke uitgesloten respondent heeft een reden.",
                        "What was read from {file}, what was used and what was not, and why. Nobody is dropped "
                        "silently: every excluded respondent has a reason."),
    "quality.table": _s("Ingelezen en gebruikt", "Read and used"),
    "quality.rows_read": _s("Rijen ingelezen", "Rows read"), "quality.empty_rows": _s("Lege rijen (weggelaten)", "Empty rows (dropped)"),
    "quality.not_respondents": _s("Voorbeeld- en testantwoorden van het enquêteplatform (weggelaten)",
                                  "Survey platform previews and test responses (dropped)"),
    "quality.incomplete": _s("Niet afgeronde enquêtes (behouden met wat beantwoord is)",
                             "Surveys not completed (kept with what was answered)"),
    "quality.respondents": _s("Respondenten (gemarkeerde inbegrepen)", "Respondents (flagged included)"),
    "quality.left_out": _s("Respondenten van groepen met minder dan {minimum} bruikbare respondenten: niet in dit "
                           "rapport", "Respondents of groups with fewer than {minimum} usable respondents: not in this "
                           "report"),
    "quality.in_report": _s("Bruikbare respondenten in dit rapport", "Usable respondents in this report"),
    "quality.flag": _s("Gemarkeerd: {flag}", "Flagged: {flag}"),
    "quality.flagged": _s("Gemarkeerd als onbetrouwbaar (rechtlijnig, te snel of te veel ontbrekend)",
                          "Flagged as unreliable (straight-lining, speeding or too many missing)"),
    "quality.usable": _s("Bruikbaar (niet gemarkeerd)", "Usable (not flagged)"),
    "quality.invalid_values": _s("Ongeldige waarden (als ontbrekend gelezen)", "Invalid values (read as missing)"),
    "quality.unknown_columns": _s("Onbekende kolommen (genegeerd)", "Unknown columns (ignored)"),
    "quality.no_group": _s("Zonder organisatie", "Without an organisation"),
    "quality.used_importance": _s("Gebruikt in de driveranalyse", "Used in the driver analysis"),
    "quality.used_validation": _s("Gebruikt in de validatie", "Used in the validation"),
    "flag.flag_straightlining": _s("rechtlijnig antwoordpatroon (overal hetzelfde antwoord)", "straight-lining (the same answer everywhere)"),
    "flag.flag_too_many_missing": _s("minder dan de helft van de items beantwoord", "fewer than half of the items answered"),
    "flag.flag_speeding": _s("te snel ingevuld (minder dan 40% van de mediane tijd)", "completed too fast (under 40% of the median time)"),
    "quality.exclusions": _s("Niet in de driveranalyse, per reden", "Not in the driver analysis, by reason"),
    "quality.exclusions_note": _s("Elke respondent telt bij zijn eerste reden.", "Each respondent counts under the first reason."),
    "quality.validation_exclusions": _s("Niet in de validatie, per reden", "Not in the validation, by reason"),
    "quality.reader_warnings": _s("Meldingen bij het inlezen", "Notes from reading the file"),
    "reason.no_group": _s("geen organisatie", "no organisation"),
    "reason.flagged": _s("gemarkeerd als onbetrouwbaar", "flagged as unreliable"),
    "reason.no_outcome": _s("geen tevredenheidsscore", "no satisfaction score"),
    "reason.missing_score": _s("een driverscore ontbreekt (minder dan de helft van de items beantwoord)",
                               "a driver score is missing (fewer than half of its items answered)"),
    "reason.not_asked": _s("wachttijd/keuzemenu niet gevraagd in dit kanaal (alleen telefoon)",
                           "wait time/menu not asked in this channel (phone only)"),
    "reason.small_group": _s("in een groep met te weinig bruikbare respondenten voor de regressie",
                             "in a group with too few usable respondents for the regression"),
    "vreason.flagged: straight-lining across the driver battery": _s("gemarkeerd: rechtlijnig antwoordpatroon",
                                                                     "flagged: straight-lining"),
    "vreason.flagged: fewer than half of the applicable driver items answered": _s(
        "gemarkeerd: minder dan de helft van de items beantwoord", "flagged: fewer than half of the items answered"),
    "vreason.flagged: completed faster than 40% of the median duration": _s("gemarkeerd: te snel ingevuld",
                                                                            "flagged: completed too fast"),
    "vreason.no questionnaire item answered": _s("geen enkel item beantwoord", "no item answered"),
    "col.what": _s("Wat", "What"), "col.count": _s("Aantal", "Number"), "col.reason": _s("Reden", "Reason"),
    "col.total": _s("Totaal", "Total"),
    # --- questionnaire
    "questionnaire.intro": _s("De items zoals de respondenten ze lazen (inhoudsversie {version}); antwoordschaal 1 "
                              "(helemaal mee oneens) tot 7 (helemaal mee eens), met 'niet van toepassing / weet ik niet'.",
                              "The items as respondents read them (content version {version}); answer scale 1 "
                              "(strongly disagree) to 7 (strongly agree), with 'not applicable / don't know'."),
    "questionnaire.items": _s("Items per construct", "Items per construct"),
    "questionnaire.questions": _s("Overige vragen", "Other questions"),
    "item.phone_only": _s("alleen telefoon", "phone only"), "item.reverse": _s("omgekeerd gescoord", "reverse-keyed"),
    "col.text": _s("Tekst", "Text"), "col.note": _s("Opmerking", "Note"), "col.label": _s("Vraag", "Question"),
    # --- reproduce
    "reproduce.intro": _s("Met dezelfde gegevens, dezelfde software en deze opdracht ontstaat hetzelfde rapport "
                          "(dezelfde cijfers en dezelfde citaten):", "With the same data, the same software and this "
                          "command, the same report results (the same figures and the same quotes):"),
    "reproduce.settings": _s("Instellingen", "Settings"), "reproduce.software": _s("Software", "Software"),
    "col.setting": _s("Instelling", "Setting"), "col.value": _s("Waarde", "Value"),
    "col.package": _s("Pakket", "Package"), "col.version": _s("Versie", "Version"),
    "setting.seed": _s("Seed", "Seed"), "setting.bootstrap": _s("Bootstrap-trekkingen per groep", "Bootstrap resamples per group"),
    "setting.level": _s("Betrouwbaarheidsniveau", "Confidence level"), "setting.outcome": _s("Uitkomst", "Outcome"),
    "setting.importance": _s("Belang achter de prioriteiten", "Importance behind the priorities"),
    "setting.crosshair": _s("Kwadrantgrenzen", "Quadrant cross-hairs"),
    "setting.flagged": _s("Gemarkeerde respondenten uitgesloten", "Flagged respondents excluded"),
    "setting.min_group_n": _s("Minimale groepsgrootte", "Minimum group size"),
    "setting.missing": _s("Ontbrekende antwoorden (validatie)", "Missing answers (validation)"),
    "setting.instrument": _s("Versie vragenlijst", "Questionnaire version"), "setting.source": _s("Gegevensbestand", "Data file"),
    # --- workbook and page furniture
    "excel.low": _s("ondergrens", "low"), "excel.high": _s("bovengrens", "high"),
    "excel.no_interval": _s("waarom geen interval", "why no interval"), "excel.group": _s("Groep", "Group"),
    "excel.about": _s("Over dit bestand", "About this workbook"),
    "excel.about_text": _s("Alle tabellen van de rapporten, één tabblad per tabel, met de onafgeronde getallen van de "
                           "analyse (drivers analyse --json / drivers validate --json).", "Every table of the reports, "
                           "one sheet per table, with the analysis' unrounded numbers (drivers analyse --json / "
                           "drivers validate --json)."),
    "excel.withheld": _s("Niet getoond (te weinig bruikbare respondenten)", "Withheld (too few usable respondents)"),
    "sheet.overview": _s("Overzicht", "Overview"), "sheet.kpis_by_group": _s("Kerncijfers per organisatie", "KPIs by organisation"),
    "sheet.kpis_by_channel": _s("Kerncijfers per kanaal", "KPIs by channel"), "sheet.priorities": _s("Prioriteiten", "Priorities"),
    "sheet.versus_rest": _s("Tegenover de rest", "Versus rest"), "sheet.differences": _s("Verschillen", "Differences"),
    "sheet.details": _s("Details per driver", "Driver details"), "sheet.fit": _s("Modelfit", "Model fit"),
    "sheet.reliability": _s("Betrouwbaarheid", "Reliability"), "sheet.htmt": _s("HTMT", "HTMT"),
    "sheet.invariance": _s("Invariantie", "Invariance"), "sheet.loadings": _s("Ladingen", "Loadings"),
    "sheet.data_quality": _s("Datakwaliteit", "Data quality"), "sheet.exclusions": _s("Uitsluitingen", "Exclusions"),
    "sheet.validation_exclusions": _s("Uitsluitingen validatie", "Validation exclusions"),
    "sheet.questionnaire": _s("Vragenlijst", "Questionnaire"), "sheet.questions": _s("Overige vragen", "Other questions"),
    "sheet.settings": _s("Instellingen", "Settings"), "sheet.software": _s("Software", "Software"),
    "sheet.voice": _s("Stem van de klant", "Voice of the customer"),
    "col.quote": _s("Toelichting (gemaskeerd)", "Explanation (masked)"), "col.nps_group": _s("NPS-groep", "NPS group"),
    "col.quote_meta": _s("NPS en kanaal", "NPS and channel"),
}
