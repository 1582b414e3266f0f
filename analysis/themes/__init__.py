"""Theme coding of the open 'why' answers: drivers and other themes, with polarity.

``code_text`` codes one answer with a language's lexicon (:mod:`analysis.themes.coding`);
``code_themes`` codes a study's answers, ``analyse_themes`` adds frequencies per group and
priority quadrant, theme x NPS group and representative quotes (:mod:`analysis.themes.analyse`);
``discover_topics`` finds the recurring 'other themes' the lexicons miss. The method
(lexicons, Snowball stems, Dutch compound heads, near-miss spelling, negation, irony,
disambiguation) is described step by step in :mod:`analysis.themes.coding`; its agreement
with hand labels is in ``benchmarks/RESULTS.md`` (``benchmarks/bench_themes.py``).
"""
