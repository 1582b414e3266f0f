"""Field the questionnaire on survey platforms and document it.

- :func:`to_limesurvey` -> LimeSurvey survey structure (``.lss`` XML text)
- :func:`to_qualtrics` -> Qualtrics survey (``.qsf`` content as a dict; :func:`qsf_text` serialises it)
- :func:`to_html` / :func:`to_pdf` -> printable questionnaire, one language or side by side
- :func:`codebook` (DataFrame), :func:`codebook_json`, :func:`codebook_csv`, :func:`codebook_markdown`

Every export names questions with one scheme (:mod:`instrument.naming`), which the
response readers in :mod:`instrument.platforms` use to map platform columns back.

>>> from instrument import load_instrument
>>> from instrument.export import to_limesurvey
>>> "<LimeSurveyDocType>Survey</LimeSurveyDocType>" in to_limesurvey(load_instrument(), "nl,en")
True
"""
from instrument.export.codebook import codebook, codebook_csv, codebook_json, codebook_markdown
from instrument.export.limesurvey import to_limesurvey
from instrument.export.printable import to_html, to_pdf
from instrument.export.qualtrics import qsf_text, to_qualtrics
from instrument.naming import parse_languages, platform_questions

__all__ = [
    "codebook",
    "codebook_csv",
    "codebook_json",
    "codebook_markdown",
    "parse_languages",
    "platform_questions",
    "qsf_text",
    "to_html",
    "to_limesurvey",
    "to_pdf",
    "to_qualtrics",
]
