"""Read response files against the questionnaire: formats, checks, flags, quality report.

The modules, in the order a file passes through them:

* :mod:`~instrument.reader.files` reads CSV/TXT, Excel, SPSS and Parquet into raw cells
  (delimiter and encoding detection);
* :mod:`~instrument.reader.columns` matches the file's columns to the variables;
* :mod:`~instrument.reader.validate` checks and converts every cell;
* :mod:`~instrument.reader.flags` flags straight-liners, respondents with too many
  missing answers and speeders;
* :mod:`~instrument.reader.quality` holds the :class:`QualityReport`;
* :mod:`~instrument.reader.responses` ties them together in :func:`read_responses`.

Examples
--------
>>> from instrument import read_responses
>>> data, report = read_responses("responses.csv")  # doctest: +SKIP
>>> print(report.summary())  # doctest: +SKIP
"""
from instrument.reader.flags import FLAG_COLUMNS
from instrument.reader.quality import QualityReport
from instrument.reader.responses import read_responses

__all__ = ["FLAG_COLUMNS", "QualityReport", "read_responses"]
