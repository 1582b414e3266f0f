"""Theme coding of the open 'why' answers: drivers and other themes, with polarity.

``code_text`` codes one answer with a language's lexicon rules (:mod:`analysis.themes.coding`);
``code_texts`` combines them with a classifier trained on the shipped labelled answers
(:mod:`analysis.themes.classifier`); ``code_themes`` codes a study's answers with both,
``analyse_themes`` adds frequencies per group and priority quadrant, theme x NPS group and representative quotes (:mod:`analysis.themes.analyse`);
``discover_topics`` finds the recurring 'other themes' the lexicons miss. The method
(lexicons, Snowball stems, Dutch compound heads, near-miss spelling, negation, irony,
disambiguation) is described step by step in :mod:`analysis.themes.coding`; its agreement
with hand labels, on development material, across labelled sources and on blind sets,
is in ``benchmarks/RESULTS.md`` (``benchmarks/bench_themes.py``).
"""
