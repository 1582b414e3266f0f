"""Read survey-platform response exports back into our variables, and write one.

:func:`read_limesurvey_export` reads a LimeSurvey response download, :func:`read_qualtrics_export`
a Qualtrics one: LimeSurvey 6.x's CSV and Excel with question-code, full-question-text
(any language of the questionnaire) or code-and-text headings, its SPSS ``.sav`` and its
SPSS syntax + data pair (``.sps`` + ``.dat``); Qualtrics' CSV and Excel with numeric
values or choice text. Downloads that cannot be read (abbreviated headings, a ``.sps``
without its ``.dat``, a zipped download) get a message saying which export settings to choose.

Both readers return a DataFrame whose columns are our variable ids and whose
values are our codes (numbers for scale items, 99 for not applicable; the integer codes
of channel, FCR and contact reason), whether the platform exported answer codes or
answer texts in any of the questionnaire's languages. Platform columns that map to
nothing are left out and listed in ``df.attrs["unmapped_columns"]``. Ranges and required
fields are checked by the common reader (``instrument.read_responses``), not here; the
text itself is read by the common reader's parser (encoding, delimiter, quotes, row
numbers), see :mod:`instrument.platforms.reading`.

Qualtrics survey previews and test responses are not respondents: they are left out
and listed (``df.attrs["not_respondents"]``). Responses the respondent did not complete
are kept with what they answered and listed (``df.attrs["incomplete_rows"]``); the
quality report of ``read_responses`` counts both.

The column names come from :mod:`instrument.naming`, the scheme the LimeSurvey
and Qualtrics exports are written with, so a survey fielded from our export reads back
without a mapping file.

:func:`write_limesurvey_export` goes the other way: it writes responses in our raw file
layout (e.g. a simulated study) as LimeSurvey would export them, for examples, teaching
material and tests of the whole path from platform export to report.
"""
from instrument.platforms.reading import read_limesurvey_export, read_qualtrics_export
from instrument.platforms.writing import LIMESURVEY_ANSWERS, write_limesurvey_export

__all__ = ["LIMESURVEY_ANSWERS", "read_limesurvey_export", "read_qualtrics_export", "write_limesurvey_export"]
