"""Masking personal data in open answers: every kind, no false positives, the example study."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.report.privacy import (PLACEHOLDERS, bsn_is_valid, iban_is_valid, mask_personal_data,
                                     names_from_agent_ids, shipped_first_names)

EXAMPLE = Path(__file__).parents[1] / "data" / "example"


@pytest.mark.parametrize("text, masked", [
    ("Mail me op jan.jansen@example.nl graag", "Mail me op [e-mail] graag"),
    ("klant1984@example.com.", "[e-mail]."),
    ("My address: p.voorbeeld+cc@sub.example.co.uk, thanks", "My address: [e-mail], thanks"),
    ("mail jan[at]gmail.com graag", "mail [e-mail] graag"),
    ("mail jan (at) gmail dot com graag", "mail [e-mail] graag"),
    ("mail j.jansen at gmail dot com", "mail [e-mail]"),
    ("mail jan @ gmail.com of jan{at}ziggo(dot)nl", "mail [e-mail] of [e-mail]"),
    ("mail ｊａｎ＠ｇｍａｉｌ．ｃｏｍ nu", "mail [e-mail] nu"),
])
def test_email_addresses(text, masked):
    assert mask_personal_data(text, "nl") == masked


@pytest.mark.parametrize("number", [
    "06-12345678", "06 12345678", "0612345678", "06 1234 5678", "020-123 4567", "020 1234567", "010-1234567",
    "(020) 123 4567", "+31 6 1234 5678", "+31612345678", "+31 (0)6 12345678", "0031 6 12345678",
    "+44 20 7946 0958", "+1 202 555 0143", "+1 (202) 555-0143", "+49 30 1234567",
    "06 - 12 34 56 78", "06.12.34.56.78", "06\u201312345678", "020 - 123 45 67", "06 \u2013 1234 5678",
    "\uff10\uff16\uff0d\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", "+31\u00a06\u00a012345678",
])
def test_phone_numbers_dutch_and_international(number):
    assert mask_personal_data(f"Bel me terug op {number}.", "nl") == "Bel me terug op [telefoon]."
    assert mask_personal_data(f"Call me on {number} please", "en") == "Call me on [phone] please"


@pytest.mark.parametrize("iban", [
    "NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "nl91abna0417164300", "DE89 3704 0044 0532 0130 00",
    "GB82WEST12345698765432", "BE68 5390 0754 7034", "FR14 2004 1010 0505 0001 3M02 606",
    "NL20INGB0001234567", "NL91-ABNA-0417-1643-00", "NL 91 ABNA 0417 1643 00", "NL 91-ABNA-0417-1643-00",
    "DE89-3704-0044-0532-0130-00",
])
def test_ibans_any_country_with_or_without_spaces(iban):
    assert mask_personal_data(f"Het geld moet terug op {iban} graag.", "nl") == "Het geld moet terug op [IBAN] graag."


def test_iban_checksum_and_structure():
    assert iban_is_valid("NL91 ABNA 0417 1643 00") and iban_is_valid("GB82WEST12345698765432")
    assert not iban_is_valid("NL92ABNA0417164300") and not iban_is_valid("hello")
    # a mistyped Dutch IBAN still has the Dutch structure: masked all the same
    assert mask_personal_data("rekening NL92ABNA0417164300", "nl") == "rekening [IBAN]"
    # a spaced IBAN followed by a four-letter word: the word stays
    assert mask_personal_data("BE68 5390 0754 7034 then", "en") == "[IBAN] then"


@pytest.mark.parametrize("text, masked", [
    ("Ik woon op 1234 AB 12.", "Ik woon op [postcode]."),
    ("Stuur het naar 1234AB 12a", "Stuur het naar [postcode]"),
    ("adres 6226 DE 150, Maastricht", "adres [postcode], Maastricht"),
    ("postcode 9062 RT", "postcode [postcode]"),
    ("9062 TB 129", "[postcode]"),
    ("1234ab nr. 7", "[postcode]"),
    ("postcode 1234 ab", "postcode [postcode]"),
    ("Postcode: 1234 ab, graag", "Postcode: [postcode], graag"),
    ("ik woon op 1234 ab 12 in Utrecht", "ik woon op [postcode] in Utrecht"),
    ("\uff11\uff12\uff13\uff14 AB 12", "[postcode]"),
])
def test_dutch_postcodes_with_house_numbers(text, masked):
    assert mask_personal_data(text, "nl") == masked


@pytest.mark.parametrize("text, masked", [
    ("Mohammed heeft me super geholpen.", "[naam] heeft me super geholpen."),
    ("Vraag maar na bij Sanne.", "Vraag maar na bij [naam]."),
    ("Ask Daan, they know.", "Ask [naam], they know."),
    ("Ik heb met Jan de Vries gesproken.", "Ik heb met [naam] gesproken."),
    ("De medewerker Ben was erg vriendelijk", "De medewerker [naam] was erg vriendelijk"),
    ("Ik heb met Xandru gesproken, top", "Ik heb met [naam] gesproken, top"),
    ("agent Will was helpful", "agent [naam] was helpful"),
    ("Mevrouw Bakker hielp mij", "Mevrouw [naam] hielp mij"),
    ("Priya Sharma helped me a lot", "[naam] helped me a lot"),
])
def test_names_from_the_list_and_from_context(text, masked):
    assert mask_personal_data(text, "nl") == masked


@pytest.mark.parametrize("text, masked", [
    ("BSN 123456782", "BSN [BSN]"),
    ("mijn bsn: 1234.56.782, klopt dat?", "mijn bsn: [BSN], klopt dat?"),
    ("burgerservicenummer 12345678", "burgerservicenummer [BSN]"),      # eight digits after the word: masked all the same
    ("Mijn nummer is 111222333 en verder niets", "Mijn nummer is [BSN] en verder niets"),
    ("nummer 1234.56.782.", "nummer [BSN]."),
])
def test_citizen_service_numbers(text, masked):
    assert mask_personal_data(text, "nl") == masked


def test_eleven_test_of_citizen_service_numbers():
    assert bsn_is_valid("123456782") and bsn_is_valid("111222333") and bsn_is_valid("1234.56.782")
    assert not bsn_is_valid("123456789") and not bsn_is_valid("000000000") and not bsn_is_valid("12345678")
    assert mask_personal_data("Ordernummer 123456789 is zoek", "nl") == "Ordernummer 123456789 is zoek"


def test_ibans_are_masked_whole_not_in_part():
    # a space after the country code was once half-masked as 'NL 91 ABNA [telefoon]'
    assert mask_personal_data("rekening NL 91 ABNA 0417 1643 00, dank", "nl") == "rekening [IBAN], dank"
    assert mask_personal_data("NL91-ABNA-0417-1643-00-extra", "en") == "[IBAN]-extra"


def test_full_width_characters_are_recognised_and_the_rest_is_kept_as_written():
    text = "ＯＫ, bel ０６－１２３４５６７８ of vraag naar Ｓａｎｎｅ ½ uur"
    assert mask_personal_data(text, "nl") == "ＯＫ, bel [telefoon] of vraag naar [naam] ½ uur"


@pytest.mark.parametrize("agent_id", ["Vermeulen, Xandru", "Xandru Vermeulen (team 3)", "Xandru_Vermeulen",
                                      "xandru.vermeulen", "X. Vermeulen / Xandru", "VERMEULEN-Xandru"])
def test_agent_names_from_crm_id_formats(agent_id):
    names = names_from_agent_ids([agent_id])
    assert {"xandru", "vermeulen"} <= {n.casefold() for n in names}
    assert not {"team", "3", "X"} & set(names)
    assert mask_personal_data("Xandru Vermeulen loste het op", "nl", extra_names=names) == "[naam] loste het op"


def test_agent_names_from_the_data_are_masked_and_codes_are_not_names():
    names = names_from_agent_ids(["Xandru Vermeulen", "Quirijn", "Qx", "A01023", "agent_7", None])
    assert set(names) == {"Xandru", "Vermeulen", "Quirijn", "Qx"}
    assert names_from_agent_ids(["A01023", "B2", "x-17"]) == ()
    text = "Quirijn loste het op, daarna kwam Xandru Vermeulen aan de lijn."
    assert mask_personal_data(text, "en", extra_names=names) == "[name] loste het op, daarna kwam [name] aan de lijn."
    assert mask_personal_data(text, "en") == text          # unknown names without a naming context stay


@pytest.mark.parametrize("text", [
    "De wachttijd was 20 minuten, veel te lang.",
    "Ik heb 3 keer gebeld voordat het goed was.",
    "Op 12-03-2024 gebeld en op 01-02-2024 12:00 nog een keer.",
    "De kosten waren € 12,50 per maand, nu 1.250 euro per jaar.",
    "Ik geef een 9. Cijfer 10 voor de medewerker!",
    "In 2024 en 2025 heb ik 15 keer contact gehad.",
    "Na 1500 KM rijden nog steeds geen monteur.",
    "Ordernummer 123456 is nog steeds niet geleverd.",
    "Ik ben blij. Ben erg tevreden over de klantenservice.",
    "The agent did not know which products I have. I was on hold for 45 minutes.",
    "Top service! Prima geholpen. Mijn vraag is in één keer opgelost.",
    "Het duurde van 09:00 tot 10:30 uur.",
    "Ik wacht al 2 weken op een reactie, sinds 3 maart.",
    "Mijn pakket van 2,5 kg kwam na 14 dagen.",
    "Ik heb 2 x 45 minuten gewacht en was nummer 12 in de rij.",
    "Factuur 2024-0012 van € 1.234,56 klopte niet.",
    "Bereikbaar van 09.00 - 17.30 uur, maar om 18.00 niet meer.",
    "Mijn klantnummer is 12345678 en mijn ordernummer 123456789.",
    "Ik heb op 06-03 en 12-03 gebeld, en op 01.02.2024 nog een keer.",
    "Versie 2.10.3 van de app crasht steeds.",
    "Ik kreeg 50 euro terug op 1 april 2024 om 10:15.",
    "In 2023 op 12 mei en in 2024 op 3 juni gebeld.",
    "Het kostte 2 uur en 15 min; ik geef een 7/10.",
    "NPS 9 en CES 6, al 10 jaar klant.",
    "I waited 3 days, then called at 9 and spoke to nobody.",
    "Looked at the website, then at the app: both useless.",
])
def test_no_false_positives_on_ordinary_answers(text):
    assert mask_personal_data(text, "nl") == text
    assert mask_personal_data(text, "en") == text


def test_placeholders_follow_the_language():
    text = "Bel Sanne op 06-12345678"
    assert mask_personal_data(text, "nl") == "Bel [naam] op [telefoon]"
    assert mask_personal_data(text, "en") == "Bel [name] op [phone]"
    assert {p["en"] for p in PLACEHOLDERS.values()} >= {"[e-mail]", "[phone]", "[IBAN]", "[postcode]", "[name]"}
    with pytest.raises(ValueError, match="lang"):
        mask_personal_data(text, "de")


def test_web_addresses_are_removed():
    assert (mask_personal_data("Zie https://evil.example/x?a=1 en www.example.nl.", "nl")
            == "Zie [link] en [link].")


def test_first_name_list_is_shipped_and_large():
    names = shipped_first_names()
    assert len(names) > 300 and {"Daan", "Sanne", "Mohammed", "Fatima", "Priya", "Kevin"} <= names
    assert not {"Ben", "Will", "Bill", "Job", "Lot", "May"} & names      # ordinary words, context only


def test_example_study_every_planted_item_masked_and_nothing_else_changed():
    data = pd.read_csv(EXAMPLE / "responses.csv")
    planted = json.loads((EXAMPLE / "truth.json").read_text(encoding="utf-8"))["sample"]["planted"]["personal_data"]
    kinds = {rid: kind for kind, ids in planted.items() for rid in ids}
    marker = {"email": "[e-mail]", "phone": "[telefoon]", "iban": "[IBAN]", "postcode": "[postcode]",
              "agent_name": "[naam]"}
    answered = data.dropna(subset=["why"])
    assert set(kinds) <= set(answered.respondent_id)
    for rid, why in zip(answered.respondent_id, answered.why):
        masked = mask_personal_data(why, "nl")
        if rid in kinds:
            assert marker[kinds[rid]] in masked, (rid, why, masked)
            assert "@" not in masked, masked
        else:
            assert masked == why, (rid, why, masked)
