"""Build LimeSurvey and Qualtrics response downloads in the platforms' own layouts, for the reader tests.

Every file is made from the question-code CSV fixtures (``fixtures/platforms/limesurvey_codes.csv``,
``qualtrics_*.csv``) and the survey structure our ``.lss`` gives LimeSurvey (question and
group texts are taken from the ``.lss`` XML, as the server stores them), following what
LimeSurvey 6.x's own code writes (``application/helpers/common_helper.php``
``createFieldMap``; ``application/helpers/admin/export/Writer.php``, ``CsvWriter.php``,
``ExcelWriter.php``; ``application/helpers/export_helper.php`` ``SPSSFieldMap``,
``SPSSGetValues``, ``SPSSExportData``, ``quoteSPSS``; ``application/controllers/admin/Export.php``
``exportspss``) and the facts in /work/shared/reference/survey-formats.md ('LimeSurvey 6.x
response exports, as a real server writes them'). Nothing here imports the readers.

``fixtures/platforms/limesurvey-6.14/`` holds downloads a real LimeSurvey 6.14 server wrote
from the same responses; ``test_platform_downloads.py`` checks that this script reproduces
them (so that the variations it builds, e.g. with timing columns, have the real layout).
"""
from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from instrument import load_instrument
from instrument.export import to_limesurvey

FIXTURES = Path(__file__).parent / "fixtures" / "platforms"
LS_CODES = FIXTURES / "limesurvey_codes.csv"
#: LimeSurvey's headings of its own columns (gT() in createFieldMap; Dutch from locale/nl/nl.mo).
OWN_HEADINGS = {
    "en": {"id": "Response ID", "submitdate": "Date submitted", "lastpage": "Last page",
           "startlanguage": "Start language", "seed": "Seed", "startdate": "Date started",
           "datestamp": "Date last action", "interviewtime": "Total time", "groupTime": "Group time"},
    "nl": {"id": "Respons-id", "submitdate": "Datum verzonden", "lastpage": "Laatste pagina",
           "startlanguage": "Begin taal", "seed": "Plaats", "startdate": "Startdatum",
           "datestamp": "Datum laatste actie", "interviewtime": "Totaaltijd", "groupTime": "Groepstijd"},
}
_META = ("id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp")


def read_csv(path: Path, delimiter: str = ",") -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [r for r in csv.reader(fh, delimiter=delimiter) if r]


class Survey:
    """The survey as LimeSurvey stores it after importing our .lss: codes, types, texts, answers."""

    def __init__(self, languages: str = "nl,en"):
        tree = ET.fromstring(to_limesurvey(load_instrument(), languages))

        def rows(table):
            return [{c.tag: (c.text or "") for c in row} for row in tree.findall(f"{table}/rows/row")]

        self.sid = rows("surveys")[0]["sid"]
        self.title = {r["surveyls_language"]: r["surveyls_title"] for r in rows("surveys_languagesettings")}
        self.groups = {}
        for r in rows("group_l10ns"):
            self.groups.setdefault(r["gid"], {})[r["language"]] = r["group_name"]
        questions = {r["qid"]: r for r in rows("questions") + rows("subquestions")}
        texts: dict[str, dict[str, str]] = {}
        for r in rows("question_l10ns"):
            texts.setdefault(r["qid"], {})[r["language"]] = r["question"]
        labels: dict[str, dict[str, str]] = {}
        for r in rows("answer_l10ns"):
            labels.setdefault(r["aid"], {})[r["language"]] = r["answer"]
        answers: dict[str, list[tuple[str, dict[str, str]]]] = {}
        for r in sorted(rows("answers"), key=lambda r: int(r["sortorder"])):
            answers.setdefault(r["qid"], []).append((r["code"], labels[r["aid"]]))
        #: response-table column (code heading) -> (type, question texts, subquestion texts or None, answers)
        self.columns: dict[str, tuple[str, dict, dict | None, list]] = {}
        for q in questions.values():
            if q["parent_qid"] != "0":
                parent = questions[q["parent_qid"]]
                self.columns[f"{parent['title']}[{q['title']}]"] = (
                    parent["type"], texts[parent["qid"]], texts[q["qid"]], answers.get(parent["qid"], []))
            elif q["type"] != "F":
                self.columns[q["title"]] = (q["type"], texts[q["qid"]], None, answers.get(q["qid"], []))
        self.group_order = sorted(self.groups, key=int)


def _flatten(text: str) -> str:
    """LimeSurvey's flattenText: tags removed, white space collapsed."""
    return " ".join(re.sub(r"<[^>]*>", " ", text).split())


def limesurvey_full_text(survey: Survey, lang: str, *, answers: str = "texts",
                         source: Path = LS_CODES) -> list[list[str]]:
    """The code-heading export as 'Full question text' headings (and full answers) in ``lang``."""
    records = read_csv(source)
    header = records[0]
    out_header = []
    for name in header:
        if name in OWN_HEADINGS[lang]:
            out_header.append(OWN_HEADINGS[lang][name])
        elif name.startswith("groupTime"):
            gid = survey.group_order[int(name[len("groupTime"):]) - 1]
            out_header.append(f"{OWN_HEADINGS[lang]['groupTime']}: {survey.groups[gid][lang]}")
        else:
            _, question, sub, _ = survey.columns[name]
            heading = _flatten(question[lang])
            out_header.append(heading + (f" [{_flatten(sub[lang])}]" if sub else ""))
    rows = []
    for record in records[1:]:
        row = list(record)
        if answers == "texts":
            for j, name in enumerate(header):
                if name in survey.columns and survey.columns[name][3]:
                    labels = dict(survey.columns[name][3])
                    if row[j] in labels:  # full answers in the export's language, whatever the response's
                        row[j] = labels[row[j]][lang]
        rows.append(row)
    return [out_header, *rows]


def write_limesurvey_csv(records: list[list[str]], path: Path, delimiter: str = ";") -> Path:
    """As LimeSurvey's CsvWriter: UTF-8 with BOM, every field quoted, CRLF, a blank line at the end."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(records)
    path.write_bytes(("\ufeff" + buffer.getvalue() + "\r\n").encode("utf-8"))
    return path


_XLSX_NUMBER = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")


def write_workbook(records: list[list[str]], path: Path, sheet: str, header_rows: int = 1) -> Path:
    """A workbook as the platforms write it: text headings, numbers as numbers (PHP_XLSXWriter's rule)."""
    book = Workbook()
    ws = book.active
    ws.title = re.sub(r"[*:/\\?\[\]]", " ", sheet)[:31]
    for k, record in enumerate(records):
        ws.append([_xlsx_cell(v) if k >= header_rows else v for v in record])
    book.save(path)
    return path


def _xlsx_cell(value: str):
    if value == "":
        return None
    if _XLSX_NUMBER.match(value):
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    return value


def limesurvey_workbook(survey: Survey, path: Path, *, headings: str = "code", lang: str = "nl") -> Path:
    """LimeSurvey's 'Microsoft Excel' download: one sheet named after the survey title."""
    records = read_csv(LS_CODES) if headings == "code" else limesurvey_full_text(survey, lang)
    return write_workbook(records, path, survey.title[lang])


def qualtrics_workbook(source: Path, path: Path, numbers: bool = True) -> Path:
    """Qualtrics' 'Excel' download: the CSV's three header rows (export tag, question text, ImportId)
    and its values, in sheet 'Sheet0'; numbers as numbers, or (``numbers=False``) every cell as text.

    That the .xlsx has the CSV's three header rows is what scripts reading it rely on, e.g.
    SDAMcIntyre/Pandemic-touch ``wrangle_data.R`` (ImportIds from row 3, data from row 4)."""
    return write_workbook(read_csv(source), path, "Sheet0", header_rows=3 if numbers else len(read_csv(source)))


# --- SPSS syntax + data ---------------------------------------------------------------


def _spss_fields(survey: Survey, header: list[str], records: list[list[str]], lang: str) -> list[dict]:
    """SPSSFieldMap: one entry per response column (no timings: the field map has none)."""
    fields = []
    for j, name in enumerate(header):
        if name.startswith("groupTime") or name == "interviewtime":
            continue
        values = [r[j] for r in records]
        size = max([len(v) for v in values] + [1])
        if name in _META:
            kind = {"id": "F7", "lastpage": "F7", "startlanguage": "A20", "seed": "A31"}.get(name, "DATETIME23.2")
            fields.append({"name": name, "col": j, "type": kind, "label": name, "answers": [], "title": name})
            continue
        qtype, question, sub, answers = survey.columns[name]
        label = _flatten(question[lang])
        if sub:
            label = f"[{_flatten(sub[lang])}] {label}"
        if qtype in ("S", "T"):
            spss = f"A{size}"
        else:
            spss = f"F{max(len(code) for code, _ in answers)}"
        title = name.replace("[", "_").replace("]", "")
        fields.append({"name": name, "col": j, "type": spss, "label": label, "title": title,
                       "answers": [(code, _flatten(labels[lang])[:120]) for code, labels in answers]})
    return fields


def _quote_spss(value: str, spss_type: str) -> str:
    value = re.sub(r"[\r\n]+", " ", value).strip()  # stripTagsFull flattens line breaks in answers
    if value == "":
        return ""
    if spss_type.startswith("F") and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return str(round(float(value)))
    return "'" + value.replace("'", "''") + "'"


def _spss_date(value: str) -> str:
    if not value:
        return ""
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").strftime("%d-%m-%Y %H:%M:%S")


def limesurvey_spss(survey: Survey, folder: Path, lang: str = "nl", source: Path = LS_CODES) -> tuple[Path, Path]:
    """The admin page's 'Export to SPSS' download (SPSS 16 and later): the .sps syntax and the .dat data file."""
    records = read_csv(source)
    header, rows = records[0], records[1:]
    fields = _spss_fields(survey, header, rows, lang)
    data_name = f"survey_{survey.sid}_SPSS_data_file.dat"
    lines = []
    for row in rows:
        cells = []
        for f in fields:
            value = row[f["col"]]
            if f["type"] == "DATETIME23.2":
                cells.append(_quote_spss(_spss_date(value), "A"))
            else:
                cells.append(_quote_spss(value, f["type"]))
        lines.append(",".join(cells) + "\n")
    data_path = folder / data_name
    data_path.write_bytes(("\ufeff" + "".join(lines)).encode("utf-8"))

    out = ["*$Rev: 121017 $ all 2.", "SET UNICODE=ON.", "SHOW LOCALE.", "PRESERVE LOCALE.", "SET LOCALE='en_UK'.",
           "SET DECIMAL=DOT.", "GET DATA", " /TYPE=TXT", f" /FILE='{data_name}'", " /DELCASE=LINE",
           ' /DELIMITERS=","', " /QUALIFIER=\"'\"", " /ARRANGEMENT=DELIMITED", " /FIRSTCASE=1", " /IMPORTCASE=ALL",
           " /VARIABLES="]
    variables = [f" V{k} {f['type']}" for k, f in enumerate(fields, start=1)]
    out += variables[:-1] + [variables[-1] + ".", "CACHE.", "EXECUTE.", "*Define Variable Properties."]
    for k, f in enumerate(fields, start=1):
        # Labels longer than 231 characters less the name's are split into '"..."+' lines.
        label, width = f["label"].replace('"', '""'), 231 - len(f"V{k}")
        parts = [label[i:i + width] for i in range(0, len(label), width)] or [""]
        out.append(f"VARIABLE LABELS V{k} \"" + '"+\n"'.join(parts) + '".')
    out.append("*Define Value labels.")
    for k, f in enumerate(fields, start=1):
        if f["answers"]:
            out.append(f"VALUE LABELS  V{k}")
            pairs = [f" {code} \"{label}\"" for code, label in f["answers"]]
            out += pairs[:-1] + [pairs[-1] + "."]
    for k, f in enumerate(fields, start=1):
        out.append(f"RENAME VARIABLES ( V{k} = {f['title']} ).")
    out.append("RESTORE LOCALE.")
    syntax_path = folder / f"survey_{survey.sid}_SPSS_syntax_file.sps"
    syntax_path.write_bytes(("\ufeff" + "\n".join(out) + "\n").encode("utf-8"))
    return syntax_path, data_path


def build_limesurvey_downloads(folder: Path) -> dict[str, Path]:
    """Every LimeSurvey download we read, built from the question-code fixture into ``folder``."""
    survey = Survey()
    out = {f"full_{lang}": write_limesurvey_csv(limesurvey_full_text(survey, lang), folder / f"full_{lang}.csv")
           for lang in ("en", "nl")}
    out["sps"], out["dat"] = limesurvey_spss(survey, folder)
    for headings, lang in (("code", "nl"), ("full", "en"), ("full", "nl")):
        out[f"xlsx_{headings}_{lang}"] = limesurvey_workbook(survey, folder / f"{headings}_{lang}.xlsx",
                                                             headings=headings, lang=lang)
    return out
