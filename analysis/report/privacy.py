"""Mask personal data in open answers before they reach any report.

Respondents write their e-mail address, phone number, bank account, citizen service
number or address into the open 'why' answer, and name the agent who helped them.
None of that may reach a report (HTML, PDF or Excel): :func:`mask_personal_data`
replaces each with a visible placeholder (``[e-mail]``, ``[telefoon]``/``[phone]``,
``[IBAN]``, ``[BSN]``, ``[postcode]``, ``[naam]``/``[name]``, ``[link]``). The
functions are pure (the shipped name list is read once from the package).

The text is matched in Unicode compatibility form (NFKC), so full-width digits and
letters ('０６－１２３４５６７８') are recognised; the characters left unmasked are
returned as written.

What is recognised:

* **e-mail addresses**, also written around the '@' (``jan[at]gmail.com``,
  ``jan (at) gmail dot com``, ``jan at gmail dot com``);
* **IBANs**, compact or in groups separated by spaces or dashes (``NL91-ABNA-...``,
  ``NL 91 ABNA ...``), any country: the length for the country (from the IBAN
  registry) or a valid ISO 7064 mod-97 checksum;
* **phone numbers**: Dutch numbers of ten digits starting with 0, the digits separated
  by spaces, dots or dashes (``06-12345678``, ``06 - 12 34 56 78``, ``06.12.34.56.78``,
  ``020 - 123 45 67``, ``(020) 123 4567``) and international ones starting with ``+``
  or ``00`` (8 to 15 digits, ``+31 6 1234 5678``, ``+44 20 7946 0958``);
* **citizen service numbers** (BSN): nine digits passing the eleven-test standing on
  their own (``123456782``, ``1234.56.782``), and any eight or nine digits after 'BSN';
* **Dutch postcodes** with or without a house number (``1234 AB 12``, ``1234AB 12a``);
  in lower case with a space (``1234 ab``) only when a house number follows or the
  word 'postcode' precedes;
* **names**: agent names found in the data (``extra_names``), common first names
  shipped in ``data/first_names.txt``, and capitalised words in a naming context
  ('medewerker X', 'agent X', 'met X gesproken', 'vraag na bij X', 'X heeft me
  geholpen', 'Mr X'), each with a following surname ('Sanne de Vries');
* **web addresses** (``https://...``, ``www...``): the report must not point anywhere.

Ordinary answers are left alone: waiting times ('20 minuten'), counts ('3 keer
gebeld'), dates ('12-03-2024'), times ('09.00-17.30'), amounts ('€ 12,50'), order
numbers of other lengths and scores ('een 9') do not look like any of the above.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

from analysis.common.errors import ServiceDriversError
from analysis.common.options import check_option

PLACEHOLDERS = {
    "email": {"nl": "[e-mail]", "en": "[e-mail]"},
    "iban": {"nl": "[IBAN]", "en": "[IBAN]"},
    "bsn": {"nl": "[BSN]", "en": "[BSN]"},
    "phone": {"nl": "[telefoon]", "en": "[phone]"},
    "postcode": {"nl": "[postcode]", "en": "[postcode]"},
    "name": {"nl": "[naam]", "en": "[name]"},
    "link": {"nl": "[link]", "en": "[link]"},
}

# IBAN length per country (SWIFT IBAN registry).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Written around the '@': '[at]', '(at)', ' @ ', and 'dot'/'punt' for the dots; the last part is letters (a TLD).
_AT = r"(?:\s*@\s*|\s*[\[({<]\s*(?:at|@|apenstaartje)\s*[\])}>]\s*)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|punt)\s*[\])}>]\s*|\s+(?:dot|punt)\s+|\.)"
_EMAIL_OBFUSCATED = re.compile(rf"[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[^\W\d_]{{2,24}}\b", re.IGNORECASE)
_EMAIL_SPELLED = re.compile(r"[\w.+-]+\s+(?:at|apenstaartje)\s+[\w-]+(?:\s+(?:dot|punt)\s+[\w-]+)*"
                            r"\s+(?:dot|punt)\s+[^\W\d_]{2,24}\b", re.IGNORECASE)
_LINK = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)]", re.IGNORECASE)
# IBAN candidates: compact, or in groups of four separated by single spaces or dashes
# (and a space or dash after an upper-case country code). The grouped form may swallow a
# following short word; _iban_end() trims whole groups until valid.
_IBAN = re.compile(r"\b(?:(?-i:[A-Z]{2})[ -]?|[A-Z]{2})\d{2}"
                   r"(?:[A-Z0-9]{11,30}|(?:[ -][A-Z0-9]{4}){2,7}(?:[ -][A-Z0-9]{1,4})?)\b", re.IGNORECASE)
# Between the digits of a phone number: a space, a dot, or a dash with or without spaces.
_SEP = r"(?:\s*[-\u2010\u2011\u2012\u2013\u2014]\s*|\.|\s)"
# Phone candidates end in a digit and are checked by their number of digits.
_PHONE_INTL = re.compile(rf"(?<![\w+])(?:\+|00(?=[1-9]))\d(?:{_SEP}?(?:\(0\){_SEP}?)?\(?\d\)?){{6,16}}(?!\d)")
_PHONE_NL = re.compile(rf"(?<![\w.,/+\-\u2013])(?:\(0\d{{1,3}}\)\s*|0[1-9])(?:{_SEP}?\d){{6,8}}(?![\d:,.]\d|\d)")
# A date (the same separator twice) that is not continued by that separator and a digit.
_DATE = re.compile(r"\d{1,2}([-/.])\d{1,2}\1(?:\d{4}|\d{2})(?!\d)(?!\1\d)")
_BSN_ALONE = re.compile(r"(?<![\w.,/+\-])(?:\d{9}|\d{4}\.\d{2}\.\d{3})(?!\w|[.,]\d)")
_BSN_NAMED = re.compile(r"\b(?:BSN|burgerservicenummer|sofinummer)(?:-?nummer)?\s*[:.]?\s*(?P<number>\d(?:[ .]?\d){7,8})"
                        r"(?!\w|[.,]\d)", re.IGNORECASE)
_POSTCODE = re.compile(
    r"(?<![\w-])[1-9]\d{3}(?: ?(?P<upper>[A-Z]{2})|(?P<space> ?)(?P<lower>[a-z]{2}))(?!\w)"
    r"(?P<house>[ ,]+(?:nr\.? ?)?\d{1,5}(?: ?[a-zA-Z](?!\w))?(?:-\d{1,4})?(?![\d,.]\d))?")
_POSTCODE_WORD = re.compile(r"\bpostcode\s*:?\s*$", re.IGNORECASE)
# Letter pairs that follow a number as a unit, not as a postcode, when no house number follows.
_UNITS = frozenset({"KM", "KG", "MB", "GB", "KB", "TB", "CM", "MM", "ML", "MG", "PK", "KW", "EU", "NL", "UK", "US"})
_NOT_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})  # never issued by PostNL
# Two-letter words that follow a number in a sentence ('in 2024 en 2025'): not a postcode in lower case.
_SHORT_WORDS = frozenset("""
al am an as at be by ca da do en er go he if in is it je me mn my na no nu of om on op or pm so te to up us we
ze zo
""".split())

_CAPITALISED = r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:[-'][A-ZÀ-ÖØ-Þ]?[a-zà-öø-ÿ]+)*"
_WORD = re.compile(rf"(?<![\w@\[]){_CAPITALISED}(?![\w\]])")
_TUSSENVOEGSEL = r"(?:van der|van den|van de|van 't|van|de|der|den|ter|ten|te|in 't|'t|op de|van het)"
_SURNAME = re.compile(rf"^(?: {_TUSSENVOEGSEL})? ({_CAPITALISED})(?![\w])")
# A capitalised word after these is a name ('medewerker Ben', 'spoke to Will').
_BEFORE_NAME = re.compile(
    r"(?:\b(?:medewerk(?:er|ster)|collega|meneer|mevrouw|dhr\.?|mevr\.?|mw\.?|agent|advisor|adviser|adviseur|"
    r"representative|rep|colleague|mr\.?|mrs\.?|ms\.?|miss|genaamd|heette|named|ene|"
    r"(?:vraag|vroeg)(?: het)?(?: maar)? na bij|ask(?:ed)?(?: for)?|spoke (?:to|with)|talked (?:to|with)|"
    r"gesproken met|sprak met|spoke to)\s+)$", re.IGNORECASE)
# ... and before these ('Daan heeft me geholpen', 'met Sanne gesproken').
_AFTER_NAME = re.compile(r"^\s+(?:heeft me|hielp me|helped me|has helped|was (?:so |super |erg |heel |really )?"
                         r"(?:kind|nice|helpful|friendly|vriendelijk|behulpzaam|aardig))", re.IGNORECASE)
_MET_BEFORE = re.compile(r"\bmet\s+$", re.IGNORECASE)
_MET_AFTER = re.compile(r"^\s+(?:gesproken|gebeld|contact gehad|aan de lijn)", re.IGNORECASE)
# Capitalised words that a naming context may precede but that are not names.
_NOT_NAMES = frozenset("""
de het een die dat deze dit ik je jij u we wij ze zij hij hem haar hun mijn uw jullie en of maar want
the a an i you he she it we they my your his her their and or but this that these those
klantenservice klantendienst service customer support afdeling helpdesk team manager leidinggevende
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag monday tuesday wednesday thursday friday
saturday sunday januari februari maart april mei juni juli augustus september oktober november
december january february march may june july august october
""".split())
_STRUCTURE_WORDS = frozenset({"van", "de", "der", "den", "ter", "ten", "te", "'t", "het", "op", "in"})


@lru_cache(maxsize=1)
def shipped_first_names() -> frozenset[str]:
    """The common first names shipped with the package (``data/first_names.txt``)."""
    try:
        text = resources.files("analysis.report").joinpath("data/first_names.txt").read_text(encoding="utf-8")
    except OSError as exc:
        # Without the list, agents' names would reach reports: stop instead.
        raise ServiceDriversError("the list of first names used to mask names in open answers "
                                  "(analysis/report/data/first_names.txt, package data) is missing; "
                                  f"reinstall service-drivers ({exc.strerror or exc})") from None
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


# Words of agent ids that are not names ('Xandru Vermeulen (team 3)', 'agent_7').
_ID_WORDS = frozenset("""
agent agents team user admin medewerker medewerkster employee staff desk helpdesk ext extern intern id nr no
afdeling groep group shift dienst kcc callcenter backoffice frontoffice senior junior trainee
""".split())


def names_from_agent_ids(values) -> tuple[str, ...]:
    """The name parts of agent ids as CRM systems write them ('Vermeulen, Xandru' -> Vermeulen, Xandru).

    An id is split at spaces, dots, commas, underscores, brackets, slashes and dashes
    ('Xandru Vermeulen (team 3)', 'Xandru_Vermeulen', 'x.vermeulen'); a double-barrelled
    part ('Anne-Marie') is also kept whole. Parts with digits, of one letter, and words of
    ids that are not names ('team', 'agent') and Dutch particles ('van', 'de') are left
    out, so codes ('A01023', 'agent_7') give nothing.

    Examples
    --------
    >>> names_from_agent_ids(["Vermeulen, Xandru", "Anne-Marie de Wit (team 3)", "A01023"])
    ('Anne', 'Anne-Marie', 'Marie', 'Vermeulen', 'Wit', 'Xandru')
    """
    found: set[str] = set()
    ignore = _STRUCTURE_WORDS | _NOT_NAMES | _ID_WORDS
    for value in values:
        if not isinstance(value, str):
            continue
        for part in re.split(r"[\s.,_()/\[\]]+", unicodedata.normalize("NFKC", value).strip()):
            for token in {part, *re.split(r"[-\u2010\u2013]+", part)}:
                if (len(token) >= 2 and re.fullmatch(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*", token)
                        and token.lower() not in ignore):
                    found.add(token)
    return tuple(sorted(found))

def iban_is_valid(text: str) -> bool:
    """Whether ``text`` (spaces allowed) has a valid IBAN checksum (ISO 7064 mod 97-10).

    >>> iban_is_valid("NL91 ABNA 0417 1643 00"), iban_is_valid("NL92ABNA0417164300")
    (True, False)
    """
    compact = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def _iban_like(compact: str) -> bool:
    return IBAN_LENGTHS.get(compact[:2]) == len(compact) or iban_is_valid(compact)


def _email_spans(text: str) -> list[tuple[int, int]]:
    return _merge([m.span() for regex in (_EMAIL, _EMAIL_OBFUSCATED, _EMAIL_SPELLED) for m in regex.finditer(text)])


def _link_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _LINK.finditer(text)]


def _iban_end(candidate: str) -> int | None:
    """The end of the longest prefix of ``candidate`` (by whole groups) that is an IBAN, if any."""
    ends = [m.start() for m in re.finditer(r"[ -]", candidate)] + [len(candidate)]
    for end in reversed(ends):
        compact = re.sub(r"[ -]", "", candidate[:end]).upper()
        if 15 <= len(compact) <= 34 and _iban_like(compact):
            return end
    return None


def _iban_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _IBAN.finditer(text):
        end = _iban_end(m.group(0))
        if end is not None:
            spans.append((m.start(), m.start() + end))
    return spans


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _international_phone_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PHONE_INTL.finditer(text) if 8 <= _digits(m.group(0)) <= 15]


def _national_phone_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PHONE_NL.finditer(text)
            if _digits(m.group(0)) == 10 and not _DATE.match(m.group(0))]


def bsn_is_valid(number: str) -> bool:
    """Whether nine digits pass the eleven-test of a citizen service number (BSN).

    >>> bsn_is_valid("123456782"), bsn_is_valid("1234.56.782"), bsn_is_valid("123456789")
    (True, True, False)
    """
    digits = [int(ch) for ch in number if ch.isdigit()]
    if len(digits) != 9 or not any(digits):
        return False
    return (sum(d * w for d, w in zip(digits, range(9, 1, -1))) - digits[8]) % 11 == 0


def _bsn_spans(text: str) -> list[tuple[int, int]]:
    named = [m.span("number") for m in _BSN_NAMED.finditer(text)]
    alone = [m.span() for m in _BSN_ALONE.finditer(text) if bsn_is_valid(m.group(0))]
    return _merge(named + alone)


def _postcode_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _POSTCODE.finditer(text):
        letters = (m.group("upper") or m.group("lower")).upper()
        house = m.group("house") is not None
        if letters in _NOT_POSTCODE_LETTERS or (not house and letters in _UNITS):
            continue
        if m.group("space"):         # '1234 ab': only with a house number or after the word 'postcode'
            named = bool(_POSTCODE_WORD.search(text[max(0, m.start() - 30):m.start()]))
            if not named and (not house or letters.lower() in _SHORT_WORDS):
                continue
        spans.append(m.span())
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans joined, in order."""
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]

def _is_name(word: str, before: str, after: str, extra: frozenset[str]) -> bool:
    if word.lower() in _NOT_NAMES:
        return False
    if word in shipped_first_names() or word.casefold() in extra:
        return True
    if _BEFORE_NAME.search(before) or _AFTER_NAME.match(after):
        return True
    return bool(_MET_BEFORE.search(before) and _MET_AFTER.match(after))


def _name_spans(text: str, extra: frozenset[str]) -> list[tuple[int, int]]:
    spans, last = [], 0
    for m in _WORD.finditer(text):
        if m.start() < last:
            continue
        before, after = text[max(0, m.start() - 40):m.start()], text[m.end():m.end() + 40]
        if not _is_name(m.group(0), before, after, extra):
            continue
        end = m.end()
        # A surname right after the first name: 'Sanne de Vries', 'Daan Jansen'.
        surname = _SURNAME.match(text[end:end + 60])
        if surname and surname.group(1).lower() not in _NOT_NAMES:
            end += surname.end()
        spans.append((m.start(), end))
        last = end
    return spans


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` in NFKC form, character by character, and the index in ``text`` of each character."""
    parts, origin = [], []
    for i, ch in enumerate(text):
        form = unicodedata.normalize("NFKC", ch)
        parts.append(form)
        origin += [i] * len(form)
    return "".join(parts), origin


def _replace(text: str, origin: list[int], spans, placeholder: str) -> tuple[str, list[int]]:
    """``text`` with ``spans`` replaced by ``placeholder`` (whose characters come from nowhere: -1)."""
    parts, kept, last = [], [], 0
    for start, end in spans:
        parts += [text[last:start], placeholder]
        kept += origin[last:start] + [-1] * len(placeholder)
        last = end
    return "".join(parts) + text[last:], kept + origin[last:]


def _restored(original: str, text: str, origin: list[int]) -> str:
    """The masked text with every character not masked as written in ``original``.

    An original character whose normalised form was masked in part is left out.
    """
    needed = [0] * len(original)
    for i in _normalised(original)[1]:
        needed[i] += 1
    kept = [0] * len(original)
    for i in origin:
        if i >= 0:
            kept[i] += 1
    out, done = [], set()
    for ch, i in zip(text, origin):
        if i < 0:
            out.append(ch)
        elif i not in done and kept[i] == needed[i]:
            out.append(original[i])
            done.add(i)
    return "".join(out)


def mask_personal_data(text: str, lang: str, extra_names=()) -> str:
    """Replace personal data in an open answer by visible placeholders.

    Parameters
    ----------
    text : str
        The answer as given.
    lang : {'nl', 'en'}
        Language of the placeholders (``[telefoon]``/``[phone]``, ``[naam]``/``[name]``).
    extra_names : iterable of str
        Further names to mask, e.g. the agents' names found in the data
        (:func:`names_from_agent_ids`); matched case-insensitively when capitalised.

    Returns
    -------
    str
        The answer with e-mail addresses, web addresses, IBANs, phone numbers, citizen
        service numbers, postcodes and names replaced (see the module docstring for what
        is recognised).

    Examples
    --------
    >>> mask_personal_data("Bel me op 06-12345678 of mail jan@example.nl", "nl")
    'Bel me op [telefoon] of mail [e-mail]'
    >>> mask_personal_data("Medewerker Ben was top, wachttijd 20 minuten.", "en")
    'Medewerker [name] was top, wachttijd 20 minuten.'
    >>> mask_personal_data("Mijn nummer: ０６－１２３４５６７８", "en")
    'Mijn nummer: [phone]'
    """
    check_option("lang", lang)
    if not isinstance(text, str) or not text:
        return text
    ph = {kind: labels[lang] for kind, labels in PLACEHOLDERS.items()}
    extra = frozenset(unicodedata.normalize("NFKC", n).casefold() for n in extra_names if isinstance(n, str) and n)
    # Order matters: addresses and account numbers first, so that their digits are not
    # read as phone numbers and the names inside e-mail addresses are not read as names;
    # phone numbers before BSNs, so that nine digits after '+31 ' stay one phone number.
    steps = ((_email_spans, ph["email"]), (_link_spans, ph["link"]), (_iban_spans, ph["iban"]),
             (_international_phone_spans, ph["phone"]), (_national_phone_spans, ph["phone"]),
             (_bsn_spans, ph["bsn"]), (_postcode_spans, ph["postcode"]),
             (lambda work: _name_spans(work, extra), ph["name"]))
    work, origin = _normalised(text)
    changed = False
    for find, placeholder in steps:
        spans = find(work)
        if spans:
            work, origin = _replace(work, origin, spans, placeholder)
            changed = True
    return _restored(text, work, origin) if changed else text
