"""Mask personal data in open answers before they reach any report.

Respondents write their e-mail address, phone number, bank account or address into
the open 'why' answer, and name the agent who helped them. None of that may reach a
report (HTML, PDF or Excel): :func:`mask_personal_data` replaces each with a visible
placeholder (``[e-mail]``, ``[telefoon]``/``[phone]``, ``[IBAN]``, ``[postcode]``,
``[naam]``/``[name]``, ``[link]``). The functions are pure (the shipped name list is
read once from the package).

What is recognised:

* **e-mail addresses**;
* **IBANs**, with or without spaces, any country: the length for the country (from
  the IBAN registry) or a valid ISO 7064 mod-97 checksum;
* **phone numbers**: Dutch numbers of ten digits starting with 0 (``06-12345678``,
  ``020-123 4567``, ``(020) 123 4567``) and international ones starting with ``+`` or
  ``00`` (8 to 15 digits, ``+31 6 1234 5678``, ``+44 20 7946 0958``, ``+1 202 555 0143``);
* **Dutch postcodes** with or without a house number (``1234 AB 12``, ``1234AB 12a``);
* **names**: agent names found in the data (``extra_names``), common first names
  shipped in ``data/first_names.txt``, and capitalised words in a naming context
  ('medewerker X', 'agent X', 'met X gesproken', 'vraag na bij X', 'X heeft me
  geholpen', 'Mr X'), each with a following surname ('Sanne de Vries');
* **web addresses** (``https://...``, ``www...``): the report must not point anywhere.

Ordinary answers are left alone: waiting times ('20 minuten'), counts ('3 keer
gebeld'), dates ('12-03-2024'), amounts ('€ 12,50') and scores ('een 9') do not look
like any of the above.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from instrument.errors import ServiceDriversError

PLACEHOLDERS = {
    "email": {"nl": "[e-mail]", "en": "[e-mail]"},
    "iban": {"nl": "[IBAN]", "en": "[IBAN]"},
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
_LINK = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)]", re.IGNORECASE)
# IBAN candidates: compact, or in groups of four separated by single spaces. The spaced
# form may swallow a following short word; _iban_prefix() trims whole groups until valid.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\b", re.IGNORECASE)
# Phone candidates end in a digit and are checked by their number of digits.
_PHONE_INTL = re.compile(r"(?<![\w+])(?:\+|00(?=[1-9]))\d(?:[ .-]?(?:\(0\))?[ .-]?\(?\d\)?){6,16}(?![\d])")
_PHONE_NL = re.compile(r"(?<![\w.,/+-])(?:\(0\d{1,3}\)[ -]?|0[1-9])(?:[ -]?\d){6,8}(?![\d:,.]\d|\d)")
_DATE_START = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_POSTCODE = re.compile(
    r"(?<![\w-])[1-9]\d{3}(?: ?(?P<upper>[A-Z]{2})|(?P<lower>[a-z]{2}))(?!\w)"
    r"(?P<house>[ ,]+(?:nr\.? ?)?\d{1,5}(?: ?[a-zA-Z](?!\w))?(?:-\d{1,4})?(?![\d,.]\d))?")
# Letter pairs that follow a number as a unit, not as a postcode, when no house number follows.
_UNITS = frozenset({"KM", "KG", "MB", "GB", "KB", "TB", "CM", "MM", "ML", "MG", "PK", "KW", "EU", "NL", "UK", "US"})
_NOT_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})  # never issued by PostNL

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


def names_from_agent_ids(values) -> tuple[str, ...]:
    """The name parts of agent ids that look like names ('Sanne de Vries' -> Sanne, Vries).

    Ids with digits ('A01023') or other codes are not names and give nothing.
    """
    found: set[str] = set()
    for value in values:
        if not isinstance(value, str) or any(ch.isdigit() for ch in value) or "_" in value:
            continue
        tokens = re.split(r"[\s.]+", value.strip())
        if not tokens or not all(re.fullmatch(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", t) for t in tokens if t):
            continue
        found.update(t for t in tokens if len(t) >= 2 and t.lower() not in _STRUCTURE_WORDS)
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


def _iban_prefix(candidate: str) -> str | None:
    """The longest prefix of ``candidate`` (by whole groups) that is an IBAN, if any."""
    parts = candidate.split(" ")
    for end in range(len(parts), 0, -1):
        text = " ".join(parts[:end])
        compact = text.replace(" ", "").upper()
        if 15 <= len(compact) <= 34 and _iban_like(compact):
            return text
    return None


def _mask_ibans(text: str, placeholder: str) -> str:
    out, last = [], 0
    for m in _IBAN.finditer(text):
        if m.start() < last:
            continue
        found = _iban_prefix(m.group(0))
        if found is None:
            continue
        out += [text[last:m.start()], placeholder]
        last = m.start() + len(found)
    return "".join(out) + text[last:]


def _mask_phones(text: str, placeholder: str) -> str:
    def international(m: re.Match) -> str:
        digits = sum(ch.isdigit() for ch in m.group(0))
        return placeholder if 8 <= digits <= 15 else m.group(0)

    def national(m: re.Match) -> str:
        found = m.group(0)
        if _DATE_START.match(found) or sum(ch.isdigit() for ch in found) != 10:
            return found
        return placeholder

    return _PHONE_NL.sub(national, _PHONE_INTL.sub(international, text))


def _mask_postcodes(text: str, placeholder: str) -> str:
    def replace(m: re.Match) -> str:
        letters = (m.group("upper") or m.group("lower")).upper()
        if letters in _NOT_POSTCODE_LETTERS or (m.group("house") is None and letters in _UNITS):
            return m.group(0)
        return placeholder

    return _POSTCODE.sub(replace, text)


def _is_name(word: str, before: str, after: str, extra: frozenset[str]) -> bool:
    if word.lower() in _NOT_NAMES:
        return False
    if word in shipped_first_names() or word.casefold() in extra:
        return True
    if _BEFORE_NAME.search(before) or _AFTER_NAME.match(after):
        return True
    return bool(_MET_BEFORE.search(before) and _MET_AFTER.match(after))


def _mask_names(text: str, placeholder: str, extra: frozenset[str]) -> str:
    out, last = [], 0
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
        out += [text[last:m.start()], placeholder]
        last = end
    return "".join(out) + text[last:]


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
        The answer with e-mail addresses, IBANs, phone numbers, postcodes, names and
        web addresses replaced (see the module docstring for what is recognised).

    Examples
    --------
    >>> mask_personal_data("Bel me op 06-12345678 of mail jan@example.nl", "nl")
    'Bel me op [telefoon] of mail [e-mail]'
    >>> mask_personal_data("Medewerker Ben was top, wachttijd 20 minuten.", "en")
    'Medewerker [name] was top, wachttijd 20 minuten.'
    """
    if lang not in ("nl", "en"):
        raise ValueError(f"lang must be 'nl' or 'en', got {lang!r}")
    if not isinstance(text, str) or not text:
        return text
    ph = {kind: labels[lang] for kind, labels in PLACEHOLDERS.items()}
    extra = frozenset(n.casefold() for n in extra_names if isinstance(n, str) and n)
    # Order matters: addresses and account numbers first, so that their digits are not
    # read as phone numbers and the names inside e-mail addresses are not read as names.
    text = _EMAIL.sub(ph["email"], text)
    text = _LINK.sub(ph["link"], text)
    text = _mask_ibans(text, ph["iban"])
    text = _mask_phones(text, ph["phone"])
    text = _mask_postcodes(text, ph["postcode"])
    return _mask_names(text, ph["name"], extra)
