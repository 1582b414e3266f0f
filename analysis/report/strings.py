"""Every text of the reports in Dutch and English, by key (read through :class:`analysis.report.i18n.Texts`).

Fields in braces are filled in by the caller. Driver, item and channel labels come
from the questionnaire (``inst.construct(key).label[lang]``), not from here.
"""
from __future__ import annotations

from types import MappingProxyType

from analysis.report.strings_appendix import APPENDIX_STRINGS
from analysis.report.strings_sections import SECTION_STRINGS


def _s(nl: str, en: str) -> dict:
    return {"nl": nl, "en": en}


_STRINGS = {
    # --- general
    "yes": _s("ja", "yes"), "no": _s("nee", "no"), "range.to": _s("tot", "to"), "priority": _s("prioriteit", "priority"),
    "no_interval": _s("geen interval", "no interval"),
    "scope.study": _s("Hele onderzoek", "Whole study"),
    "title.default": _s("Klantenservice: wat eerst verbeteren?", "Customer service: what to improve first"),
    "report.kind": _s("Rapport verbeterprioriteiten", "Improvement-priority report"),
    "subtitle.study": _s("Hele onderzoek ({n} organisaties met een eigen rapport)",
                         "Whole study ({n} organisations with a report of their own)"),
    "subtitle.group": _s("{group}", "{group}"),
    "fact.scope": _s("Rapport over", "Report on"), "fact.respondents": _s("Bruikbare respondenten", "Usable respondents"),
    "fact.used": _s("In de driveranalyse", "In the driver analysis"), "fact.source": _s("Gegevens", "Data"),
    "fact.generated": _s("Gemaakt op", "Generated on"), "fact.seed": _s("Seed (reproduceerbaar)", "Seed (reproducible)"),
    "contents": _s("Inhoud", "Contents"), "page": _s("pagina", "page"),
    "section.summary": _s("Samenvatting", "Executive summary"),
    "section.overview": _s("De organisaties in één oogopslag", "The organisations at a glance"),
    "section.kpis": _s("Kerncijfers", "Key figures"),
    "section.drivers": _s("Wat bepaalt de tevredenheid?", "What drives satisfaction?"),
    "section.priorities": _s("Prioriteiten per driver", "Priorities per driver"),
    "section.voice": _s("De stem van de klant", "Voice of the customer"),
    "section.method": _s("Bijlage A. Methode en kanttekeningen", "Appendix A. Method and caveats"),
    "section.validation": _s("Bijlage B. Validatie van de vragenlijst", "Appendix B. Validation of the questionnaire"),
    "section.quality": _s("Bijlage C. Datakwaliteit", "Appendix C. Data quality"),
    "section.questionnaire": _s("Bijlage D. De vragenlijst", "Appendix D. The questionnaire"),
    "section.reproduce": _s("Bijlage E. Reproduceren", "Appendix E. Reproducing this report"),
    # --- summary
    "summary.certainty": _s("Hoe zeker is deze volgorde?", "How certain is this order?"),
    "summary.intro": _s("Werk eerst aan deze {n} drivers van de klantenservicekwaliteit:",
                        "Work on these {n} drivers of customer-service quality first:"),
    "summary.figures": _s("Belang {imp} ({imp_ci}) · prestatie {perf} van 100 · prioriteit {prio} ({prio_ci})",
                          "Importance {imp} ({imp_ci}) · performance {perf} out of 100 · priority {prio} ({prio_ci})"),
    "summary.kpis": _s("Kerncijfers (95%-interval): {kpis}.", "Key figures (95% interval): {kpis}."),
    "summary.reading": _s(
        "Zo leest u dit: 'belang' is het deel van de verklaarde verschillen in tevredenheid dat bij een driver hoort "
        "(samen 100%); 'prestatie' is de gemiddelde score van de klanten op een schaal van 0 tot 100; de prioriteit "
        "combineert beide (1 = eerst aanpakken). Tussen haakjes staat steeds het 95%-betrouwbaarheidsinterval: de "
        "marge waarbinnen de echte waarde waarschijnlijk ligt. Belang is samenhang, geen bewezen oorzaak.",
        "How to read this: 'importance' is the share of the explained differences in satisfaction that goes with a "
        "driver (100% in total); 'performance' is customers' average score on a scale of 0 to 100; the priority "
        "combines both (1 = tackle first). In brackets is the 95% confidence interval: the range in which the true "
        "value probably lies. Importance is association, not proven cause."),
    "why.q-concentrate": _s(
        "Weegt bovengemiddeld mee in de tevredenheid ({imp} van het verklaarde deel, tegen {imp_mid} bij {level}) en "
        "scoort lager dan {level} van de drivers ({perf} tegen {mid}). Hier is naar verwachting de meeste winst te halen.",
        "Weighs more than average in satisfaction ({imp} of what is explained, against {imp_mid} for {level}) and "
        "scores below {level} of the drivers ({perf} against {mid}). This is where improvement is likely to pay off most."),
    "why.q-keep": _s(
        "Weegt bovengemiddeld mee in de tevredenheid ({imp} van het verklaarde deel, tegen {imp_mid} bij {level}) en "
        "scoort al boven {level} van de drivers ({perf} tegen {mid}). Vasthouden; omdat deze driver zwaar weegt, levert "
        "verdere verbetering nog steeds op.",
        "Weighs more than average in satisfaction ({imp} of what is explained, against {imp_mid} for {level}) and "
        "already scores above {level} of the drivers ({perf} against {mid}). Keep it up; because it weighs heavily, "
        "further improvement still pays off."),
    "why.q-low": _s(
        "Weegt minder dan gemiddeld mee ({imp} van het verklaarde deel, tegen {imp_mid} bij {level}) en scoort lager "
        "dan {level} van de drivers ({perf} tegen {mid}): er is ruimte voor verbetering, maar die levert minder op dan "
        "bij de zwaarder wegende drivers.",
        "Weighs less than average ({imp} of what is explained, against {imp_mid} for {level}) and scores below {level} "
        "of the drivers ({perf} against {mid}): there is room to improve, but it pays off less than the drivers that "
        "weigh more."),
    "why.q-overkill": _s(
        "Weegt minder dan gemiddeld mee ({imp} van het verklaarde deel, tegen {imp_mid} bij {level}) en scoort al boven "
        "{level} van de drivers ({perf} tegen {mid}): hier is weinig te winnen.",
        "Weighs less than average ({imp} of what is explained, against {imp_mid} for {level}) and already scores above "
        "{level} of the drivers ({perf} against {mid}): little to gain here."),
    "crosshair.mean": _s("het gemiddelde", "the average"), "crosshair.median": _s("de mediaan", "the median"),
    "crosshair.midpoint": _s("het midden van de schaal", "the scale midpoint"),
    "certainty.small_n": _s(
        "Let op: de analyse rust op {n} respondenten, minder dan 100. Bij zo weinig respondenten is de volgorde van de "
        "drivers onstabiel; lees de top drie als een aanwijzing, niet als een vaststaande rangorde.",
        "Caution: the analysis rests on {n} respondents, fewer than 100. With so few respondents the order of the "
        "drivers is unstable; read the top three as an indication, not a fixed ranking."),
    "certainty.no_intervals": _s("De prioriteiten hebben geen interval (belang uit het structurele model): hoe zeker de "
                                 "volgorde is, is niet bekend.",
                                 "The priorities have no interval (importance from the structural model): how certain "
                                 "the order is, is not known."),
    "certainty.contender": _s(
        "De top {top} is niet zeker: ook {names} kan in een nieuwe steekproef bij de eerste {top} horen (het "
        "prioriteitsinterval reikt tot plaats {top} of hoger).",
        "The top {top} is not certain: {names} could also be among the first {top} in a new sample (its priority "
        "interval reaches place {top} or higher)."),
    "certainty.contenders": _s(
        "De top {top} is niet zeker: ook {names} kunnen in een nieuwe steekproef bij de eerste {top} horen (hun "
        "prioriteitsintervallen reiken tot plaats {top} of hoger).",
        "The top {top} is not certain: {names} could also be among the first {top} in a new sample (their priority "
        "intervals reach place {top} or higher)."),
    "certainty.clear_top": _s("De top {top} is duidelijk: de prioriteitsintervallen van de andere drivers reiken niet "
                              "tot de eerste {top} plaatsen.",
                              "The top {top} is clear: the priority intervals of the other drivers do not reach the "
                              "first {top} places."),
    "certainty.order": _s("De volgorde binnen de top is minder zeker dan de top zelf (prioriteitsintervallen: {spans}).",
                          "The order within the top is less certain than the top itself (priority intervals: {spans})."),
    "certainty.few_resamples": _s("De intervallen rusten op maar {n} bootstrap-trekkingen; gebruik er 1.000 of meer "
                                  "voor een rapport dat u uitbrengt.",
                                  "The intervals rest on only {n} bootstrap resamples; use 1,000 or more for a report "
                                  "you hand over."),
    # --- quadrants
    "quadrant.concentrate here": _s("hier verbeteren", "concentrate here"),
    "quadrant.keep up the good work": _s("zo doorgaan", "keep up the good work"),
    "quadrant.low priority": _s("lage prioriteit", "low priority"),
    "quadrant.possible overkill": _s("mogelijk overinvestering", "possible overkill"),
    "quadrant_help.q-concentrate": _s("belangrijk, scoort onder het gemiddelde – eerst aanpakken",
                                      "important, scores below average – tackle first"),
    "quadrant_help.q-keep": _s("belangrijk, scoort boven het gemiddelde – vasthouden",
                               "important, scores above average – maintain"),
    "quadrant_help.q-low": _s("minder belangrijk, scoort onder het gemiddelde – later",
                              "less important, scores below average – later"),
    "quadrant_help.q-overkill": _s("minder belangrijk, scoort boven het gemiddelde – mogelijk volstaat minder inzet",
                                   "less important, scores above average – less effort may do"),
    # --- KPIs
    "kpi.csat_pct": _s("CSAT", "CSAT"), "kpi.nps": _s("NPS", "NPS"), "kpi.ces_mean": _s("CES", "CES"),
    "kpi.ces_pct_easy": _s("CES % makkelijk", "CES % easy"), "kpi.fcr_pct_yes": _s("FCR", "FCR"),
    "kpis.intro": _s(
        "CSAT: % tevreden of zeer tevreden (4–5 op 1–5). NPS (Net Promoter Score): % aanbevelers (9–10) min % "
        "criticasters (0–6), van −100 tot 100. CES: gemiddelde klantinspanning op 1–7 (hoger = makkelijker) en % dat "
        "het makkelijk vond (5–7). FCR: % dat de vraag bij het eerste contact opgelost kreeg. Onder elk cijfer staat "
        "het 95%-interval; bij minder dan 5 antwoorden, of (CES) als alle antwoorden gelijk zijn, staat er waarom "
        "er geen is. Respondenten die als onbetrouwbaar zijn gemarkeerd tellen niet mee.",
        "CSAT: % satisfied or very satisfied (4–5 on 1–5). NPS (Net Promoter Score): % promoters (9–10) minus % "
        "detractors (0–6), from −100 to 100. CES: mean customer effort on 1–7 (higher = easier) and % who found it "
        "easy (5–7). FCR: % whose question was resolved in the first contact. Under each figure is its 95% interval; "
        "with fewer than 5 answers, or (CES) when every answer is the same, it says why there is none. "
        "Respondents flagged as unreliable are not counted."),
    # why a key figure has no interval (the ci_reason codes of analysis.kpis)
    "kpi.no_ci.too_few": _s("geen interval: minder dan {n} antwoorden", "no interval: fewer than {n} answers"),
    "kpi.no_ci.no_spread": _s("geen interval: alle antwoorden gelijk", "no interval: every answer the same"),
    "kpi.no_ci.no_answers": _s("geen antwoorden", "no answers"),
    "kpis.by_channel": _s("Kerncijfers per kanaal: {group}", "Key figures per channel: {group}"),
    "kpis.by_group": _s("Kerncijfers per organisatie", "Key figures per organisation"),
    "kpis.note": _s("Net Promoter, NPS en Net Promoter Score zijn geregistreerde merken van Bain & Company, Fred "
                    "Reichheld en Satmetrix.", "Net Promoter, NPS and Net Promoter Score are registered marks of Bain & "
                    "Company, Fred Reichheld and Satmetrix."),
    "channel.all": _s("Alle kanalen", "All channels"), "channel.unknown": _s("Onbekend kanaal", "Unknown channel"),
    # --- withheld
    "withheld.channels": _s("Niet getoond: {channels}. Deze kanalen hebben minder dan {n} bruikbare respondenten; bij "
                            "zo weinig respondenten tonen we geen cijfers (onbetrouwbaar en mogelijk herleidbaar tot "
                            "personen).",
                            "Not shown: {channels}. These channels have fewer than {n} usable respondents; with so "
                            "few respondents we show no figures (unreliable, and possibly traceable to individuals)."),
    "withheld.channels_secondary": _s(
        "Ook niet getoond: {channels}. Anders zouden de cijfers van de kanalen die niet getoond worden (samen minder "
        "dan {n} respondenten) te berekenen zijn uit 'alle kanalen' min de getoonde kanalen.",
        "Also not shown: {channels}. Otherwise the figures of the channels not shown (fewer than {n} respondents "
        "together) could be worked out from 'all channels' minus the channels shown."),
    "withheld.groups": _s("Geen eigen rapport en geen cijfers voor: {groups}. Deze hebben minder dan {n} bruikbare "
                          "respondenten (onbetrouwbaar en mogelijk herleidbaar tot personen).",
                          "No report of their own and no figures for: {groups}. They have fewer than {n} usable "
                          "respondents (unreliable, and possibly traceable to individuals)."),
    "withheld.left_out": _s("Hun respondenten zijn helemaal weggelaten uit dit rapport, ook uit de cijfers van het "
                            "hele onderzoek, zodat hun cijfers niet uit die van de andere groepen te berekenen zijn "
                            "(bijlage C telt ze).",
                            "Their respondents are left out of this report entirely, the figures of the whole study "
                            "included, so that their figures cannot be worked out from those of the other groups "
                            "(Appendix C counts them)."),
    "withheld.drivers": _s("De driveranalyse gebruikte minder dan {n} respondenten; belang, prestatie en prioriteiten "
                           "worden daarom niet getoond.", "The driver analysis used fewer than {n} respondents; "
                           "importance, performance and priorities are therefore not shown."),
    "withheld.validation": _s("De validatie van deze groep rust op minder dan {n} respondenten en wordt niet getoond; "
                              "hieronder de cijfers van het hele onderzoek.", "The validation of this group rests on "
                              "fewer than {n} respondents and is not shown; below are the figures of the whole study."),
}

# Read-only: the texts are constants, not options to change at run time.
STRINGS = MappingProxyType({**_STRINGS, **SECTION_STRINGS, **APPENDIX_STRINGS})
