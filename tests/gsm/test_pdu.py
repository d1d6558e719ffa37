"""SMS-DELIVER / SMS-SUBMIT / SMS-STATUS-REPORT against published PDUs, and the codec's edges."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from appliance.gsm.gsm7 import encode_gsm7
from appliance.gsm.pdu import (
    Alphabet,
    DeliveryOutcome,
    PduError,
    SmsDeliver,
    SmsStatusReport,
    SmsSubmit,
    decode_pdu,
    encode_deliver,
    encode_status_report,
    encode_submit,
)
from appliance.gsm.pdu_reader import PduReader
from appliance.gsm.sms_address import (
    encode_address,
    encode_alphanumeric_address,
    encode_smsc,
    read_address,
    read_smsc,
)
from appliance.gsm.sms_dcs import decode_dcs
from appliance.gsm.sms_timestamp import (
    decode_relative_validity,
    decode_timestamp,
    encode_relative_validity,
    encode_timestamp,
)
from appliance.gsm.sms_udh import decode_udh
from appliance.gsm.sms_user_data import build_user_data

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "vectors" / "sms_pdus.json").read_text(encoding="utf-8")
)
ALL_GOOD_PDUS = [v["pdu"] for k in ("deliver", "submit", "status_report") for v in VECTORS[k]]
HELSINKI_WINTER = timezone(timedelta(hours=2))


def _submit(pdu: str) -> SmsSubmit:
    message = decode_pdu(pdu)
    assert isinstance(message, SmsSubmit)
    return message


def _concat(message: SmsDeliver | SmsSubmit) -> list[int] | None:
    found = message.concatenation
    return None if found is None else [found.reference, found.total, found.sequence]


@pytest.mark.parametrize("vector", VECTORS["deliver"], ids=lambda v: v["pdu"][:24])
def test_published_deliver_pdus(vector: dict[str, Any]) -> None:
    message = decode_pdu(vector["pdu"])
    assert isinstance(message, SmsDeliver)
    assert (str(message.smsc) if message.smsc else None) == vector["smsc"]
    assert message.sender.value == vector["sender"]
    assert message.sender.type_of_address == vector["sender_toa"]
    assert message.protocol_id == vector["protocol_id"]
    assert message.timestamp == datetime.fromisoformat(vector["timestamp"])
    assert message.timestamp.utcoffset() == datetime.fromisoformat(vector["timestamp"]).utcoffset()
    assert message.coding.alphabet.value == vector["alphabet"]
    assert message.text == vector["text"]
    assert _concat(message) == vector["concatenation"]


def test_alphanumeric_sender_is_marked_as_such() -> None:
    megafon = next(v for v in VECTORS["deliver"] if v["sender"] == "Megafon")
    message = decode_pdu(megafon["pdu"])
    assert isinstance(message, SmsDeliver)
    assert message.sender.is_alphanumeric
    assert not message.sender.is_international


@pytest.mark.parametrize("vector", VECTORS["submit"], ids=lambda v: v["pdu"][:24])
def test_published_submit_pdus(vector: dict[str, Any]) -> None:
    message = decode_pdu(vector["pdu"])
    assert isinstance(message, SmsSubmit)
    assert (str(message.smsc) if message.smsc else None) == vector["smsc"]
    assert message.recipient.value == vector["recipient"]
    assert message.message_reference == vector["message_reference"]
    assert message.status_report_requested == vector["status_report_requested"]
    assert message.coding.alphabet.value == vector["alphabet"]
    assert message.text == vector["text"]
    validity = vector["validity"]
    if validity is None:
        assert message.validity is None
    elif "relative_seconds" in validity:
        assert message.validity == timedelta(seconds=validity["relative_seconds"])
    else:
        assert message.validity == datetime.fromisoformat(validity["absolute"])


@pytest.mark.parametrize("vector", VECTORS["status_report"], ids=lambda v: v["pdu"][:24])
def test_published_status_reports(vector: dict[str, Any]) -> None:
    report = decode_pdu(vector["pdu"])
    assert isinstance(report, SmsStatusReport)
    assert (str(report.smsc) if report.smsc else None) == vector["smsc"]
    assert report.message_reference == vector["message_reference"]
    assert report.recipient.value == vector["recipient"]
    assert report.timestamp == datetime.fromisoformat(vector["timestamp"])
    assert report.discharge_time == datetime.fromisoformat(vector["discharge_time"])
    assert report.status == vector["status"]
    assert report.outcome.value == vector["outcome"]


@pytest.mark.parametrize("vector", VECTORS["submit_encode"], ids=lambda v: v["text"][:20])
def test_published_submit_encodings(vector: dict[str, Any]) -> None:
    options = dict(vector["options"])
    seconds = options.pop("validity_seconds", None)
    if seconds is not None:
        options["validity"] = timedelta(seconds=seconds)
    parts = encode_submit(vector["number"], vector["text"], **options)
    assert [part.pdu for part in parts] == vector["pdus"]
    assert [part.tpdu_length for part in parts] == vector["tpdu_lengths"]
    assert [(part.sequence, part.total) for part in parts] == [
        (n, len(parts)) for n in range(1, len(parts) + 1)
    ]


@pytest.mark.parametrize("vector", VECTORS["malformed"], ids=lambda v: v["why"])
def test_published_malformed_pdus_are_refused(vector: dict[str, Any]) -> None:
    with pytest.raises(PduError):
        decode_pdu(vector["pdu"])


def test_user_data_longer_than_the_pdu_says_how_much_was_missing() -> None:
    with pytest.raises(PduError, match="truncated in TP-UD: needs 160 octets"):
        decode_pdu("0041010C910661345542F60008A0050003000301306F3044")


@pytest.mark.parametrize("pdu", ALL_GOOD_PDUS, ids=lambda p: p[:24])
def test_every_truncation_of_a_good_pdu_is_a_pdu_error(pdu: str) -> None:
    for end in range(0, len(pdu), 2):
        with pytest.raises(PduError):
            decode_pdu(pdu[:end])


@pytest.mark.parametrize("pdu", ALL_GOOD_PDUS, ids=lambda p: p[:24])
def test_octets_after_the_user_data_are_refused(pdu: str) -> None:
    # Two octets: a status report may legally end with one TP-PI octet of 00.
    with pytest.raises(PduError, match="left over"):
        decode_pdu(pdu + "0000")


def test_odd_hex_is_refused_with_the_reason() -> None:
    with pytest.raises(PduError, match="odd number of digits"):
        decode_pdu("0001000")


def test_hex_may_be_lowercase_and_wrapped() -> None:
    message = decode_pdu("0006d60b911326880736f4\n11101171955140 11101171957140 00")
    assert isinstance(message, SmsStatusReport)


def test_pdu_without_smsc_field_as_cmgs_takes_it() -> None:
    tpdu = "01000B917228001011F100000CC8329BFD065DDF72363904"
    message = decode_pdu(tpdu, with_smsc=False)
    assert isinstance(message, SmsSubmit)
    assert message.text == "Hello World!"


@pytest.mark.parametrize("vector", VECTORS["addresses"], ids=lambda v: v["value"])
def test_published_address_fields(vector: dict[str, Any]) -> None:
    field = bytes.fromhex(vector["field"])
    assert read_address(PduReader(field), "TP-OA").value == vector["value"]
    if vector.get("decode_only"):
        return
    value = vector["value"]
    encoded = encode_address(value) if value[-1].isdigit() else encode_alphanumeric_address(value)
    assert encoded == field


@pytest.mark.parametrize("vector", VECTORS["smsc"], ids=lambda v: v["value"])
def test_published_smsc_fields(vector: dict[str, Any]) -> None:
    field = bytes.fromhex(vector["field"])
    smsc = read_smsc(PduReader(field))
    assert smsc is not None and smsc.value == vector["value"]
    assert encode_smsc(vector["value"]) == field


def test_no_smsc_is_one_zero_octet() -> None:
    assert encode_smsc(None) == b"\x00"
    assert read_smsc(PduReader(b"\x00")) is None


@pytest.mark.parametrize("number", ["", "abc", "+", "+358 40 123", "1" * 21])
def test_bad_numbers_are_refused(number: str) -> None:
    with pytest.raises(PduError, match="not a phone number"):
        encode_address(number)


def test_alphanumeric_sender_longer_than_11_is_refused() -> None:
    with pytest.raises(PduError, match="1-11"):
        encode_alphanumeric_address("Asiakaspalvelu")


@pytest.mark.parametrize("vector", VECTORS["timestamps"], ids=lambda v: v["time"])
def test_published_timestamps(vector: dict[str, Any]) -> None:
    octets = bytes.fromhex(vector["octets"])
    moment = datetime.fromisoformat(vector["time"])
    decoded = decode_timestamp(octets)
    assert decoded == moment and decoded.utcoffset() == moment.utcoffset()
    assert encode_timestamp(moment) == octets


def test_quarter_hour_zones_and_their_sign() -> None:
    india = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    newfoundland = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(-timedelta(hours=3, minutes=30)))
    assert encode_timestamp(india)[6] == 0x22  # 22 quarters, swapped
    assert encode_timestamp(newfoundland)[6] == 0x49  # 14 quarters, swapped, sign bit 3
    assert decode_timestamp(encode_timestamp(newfoundland)).utcoffset() == newfoundland.utcoffset()


def test_impossible_dates_and_non_decimal_digits_are_pdu_errors() -> None:
    with pytest.raises(PduError, match="not a real time"):
        decode_timestamp(bytes.fromhex("62310000000000"))  # month 13
    with pytest.raises(PduError, match="decimal"):
        decode_timestamp(bytes.fromhex("6A110000000000"))


def test_naive_or_odd_offset_times_cannot_be_encoded() -> None:
    with pytest.raises(PduError, match="aware"):
        encode_timestamp(datetime(2026, 1, 1))
    with pytest.raises(PduError, match="quarter"):
        encode_timestamp(datetime(2026, 1, 1, tzinfo=timezone(timedelta(minutes=10))))


@pytest.mark.parametrize("vector", VECTORS["relative_validity"], ids=lambda v: str(v["octet"]))
def test_published_relative_validity(vector: dict[str, Any]) -> None:
    period = timedelta(seconds=vector["seconds"])
    assert encode_relative_validity(period) == vector["octet"]
    assert decode_relative_validity(vector["octet"]) == period


def test_validity_rounds_up_and_has_a_ceiling() -> None:
    assert decode_relative_validity(encode_relative_validity(timedelta(minutes=31))) == timedelta(
        minutes=35
    )
    assert encode_relative_validity(timedelta(0)) == 0
    assert decode_relative_validity(255) == timedelta(weeks=63)
    with pytest.raises(PduError, match="63 weeks"):
        encode_relative_validity(timedelta(weeks=64))


@pytest.mark.parametrize("vector", VECTORS["concatenation_elements"], ids=lambda v: v["element"])
def test_published_concatenation_elements(vector: dict[str, Any]) -> None:
    found = decode_udh(bytes.fromhex(vector["element"])).concatenation
    assert found is not None
    assert (found.reference, found.total, found.sequence) == (
        vector["reference"],
        vector["total"],
        vector["sequence"],
    )


@pytest.mark.parametrize("element", ["00030A0000", "00030A0203", "0002AB01"])
def test_void_concatenation_elements_are_ignored(element: str) -> None:
    # TS 23.040 §9.2.3.24.1: zero parts, sequence past the total, or a wrong length.
    assert decode_udh(bytes.fromhex(element)).concatenation is None


def test_header_element_overrunning_the_header_is_an_error() -> None:
    with pytest.raises(PduError, match="claims 5 octets"):
        decode_udh(bytes.fromhex("000501"))


@pytest.mark.parametrize(
    ("octet", "alphabet", "message_class"),
    [
        (0x00, Alphabet.GSM7, None),
        (0x04, Alphabet.DATA8, None),
        (0x08, Alphabet.UCS2, None),
        (0x0C, Alphabet.GSM7, None),  # reserved alphabet -> default
        (0x10, Alphabet.GSM7, 0),
        (0x19, Alphabet.UCS2, 1),
        (0x4A, Alphabet.UCS2, None),
        (0x80, Alphabet.GSM7, None),  # reserved coding group -> default
        (0xC8, Alphabet.GSM7, None),
        (0xD0, Alphabet.GSM7, None),
        (0xE0, Alphabet.UCS2, None),
        (0xF0, Alphabet.GSM7, 0),
        (0xF6, Alphabet.DATA8, 2),
    ],
)
def test_data_coding_schemes(octet: int, alphabet: Alphabet, message_class: int | None) -> None:
    coding = decode_dcs(octet)
    assert coding.alphabet is alphabet
    assert coding.message_class == message_class
    assert coding.auto_delete == (0x40 <= octet <= 0x7F)
    assert coding.message_waiting == (0xC0 <= octet <= 0xEF)


def test_compressed_user_data_is_refused_by_name() -> None:
    assert decode_dcs(0x20).compressed
    compressed = "0001000B917228001011F100200CC8329BFD065DDF72363904"
    with pytest.raises(PduError, match="compressed"):
        decode_pdu(compressed)


def _deliver_with_header(header: bytes, text: str) -> str:
    head = bytes.fromhex("00" "44" "0B917228001011F1" "00" "00") + encode_timestamp(
        datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    )
    return (head + build_user_data(Alphabet.GSM7, encode_gsm7(text), header)).hex()


def test_unknown_header_elements_are_skipped_and_fill_bits_follow_the_header() -> None:
    # 11 header octets (text formatting IE 0x0A, then concatenation) -> 3 fill bits.
    header = bytes.fromhex("0A" "0A03000500" "0003090201")
    message = decode_pdu(_deliver_with_header(header, "Hei €"))
    assert isinstance(message, SmsDeliver)
    assert message.text == "Hei €"
    assert _concat(message) == [9, 2, 1]
    assert [e.identifier for e in message.user_data.header.elements] == [0x0A, 0x00]


def test_sixteen_bit_reference_header_needs_no_fill_bits() -> None:
    header = bytes.fromhex("06" "080401800302")
    message = decode_pdu(_deliver_with_header(header, "jatkuu"))
    assert isinstance(message, SmsDeliver)
    assert message.text == "jatkuu"
    assert _concat(message) == [384, 3, 2]


def test_udh_flag_with_header_longer_than_user_data_is_an_error() -> None:
    broken = _deliver_with_header(bytes.fromhex("050003090201"), "x")[:-4] + "02" + "FF00"
    with pytest.raises(PduError):
        decode_pdu(broken)


def test_finnish_text_goes_as_gsm7_and_emoji_as_ucs2() -> None:
    finnish = _submit(encode_submit("+358401234567", "Hyvää huomenta, Åke!")[0].pdu)
    emoji = _submit(encode_submit("+358401234567", "Kiitos 🙂")[0].pdu)
    assert finnish.coding.octet == 0x00 and finnish.text == "Hyvää huomenta, Åke!"
    assert emoji.coding.octet == 0x08 and emoji.text == "Kiitos 🙂"


def test_submit_flags_number_types_and_validity() -> None:
    part = encode_submit(
        "0401234567", "x", status_report=True, validity=timedelta(days=1), message_reference=7
    )[0]
    message = decode_pdu(part.pdu)
    assert isinstance(message, SmsSubmit)
    assert part.pdu.startswith("0031070A81")  # SMSC 00, SRR+VPF relative, MR 7, 10 digits, 0x81
    assert message.recipient.value == "0401234567"
    assert message.status_report_requested
    assert message.validity == timedelta(days=1)
    assert part.tpdu_length == len(part.pdu) // 2 - 1


@pytest.mark.parametrize(
    ("text", "parts", "first_units"),
    [
        ("a" * 160, 1, 160),
        ("a" * 161, 2, 153),
        ("a" * 152 + "€" + "b" * 10, 2, 152),  # the escape pair is not cut
        ("€" * 80, 1, 160),
        ("Ж" * 70, 1, 70),
        ("Ж" * 71, 2, 67),
        ("Ж" * 66 + "🙂" + "Ж" * 5, 2, 66),  # the surrogate pair is not cut
    ],
)
def test_long_text_is_cut_where_it_may_be(text: str, parts: int, first_units: int) -> None:
    encoded = encode_submit("+358401234567", text, concat_reference=1)
    assert len(encoded) == parts
    first = _submit(encoded[0].pdu)
    body = first.user_data.body
    units = len(body) if first.coding.alphabet is Alphabet.GSM7 else len(body) // 2
    assert units == first_units


def test_long_text_without_a_reference_is_refused() -> None:
    with pytest.raises(PduError, match="concat_reference"):
        encode_submit("+358401234567", "a" * 200)


def test_too_many_parts_are_refused() -> None:
    with pytest.raises(PduError, match="at most 255"):
        encode_submit("+358401234567", "a" * 153 * 256, concat_reference=1)


def test_deliver_encoding_reads_back() -> None:
    moment = datetime(2026, 11, 23, 10, 15, tzinfo=HELSINKI_WINTER)
    pdus = encode_deliver("Elisa", "Saldo 5 €", moment, smsc="+358405202000", message_class=0)
    message = decode_pdu(pdus[0])
    assert isinstance(message, SmsDeliver)
    assert message.sender.value == "Elisa" and message.sender.is_alphanumeric
    assert message.smsc is not None and message.smsc.value == "+358405202000"
    assert message.timestamp == moment
    assert message.coding.is_flash
    assert message.text == "Saldo 5 €"


def test_status_report_encoding_reads_back() -> None:
    sent = datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    report = decode_pdu(encode_status_report(42, "+358401234567", sent, sent, 0x46))
    assert isinstance(report, SmsStatusReport)
    assert (report.message_reference, report.recipient.value) == (42, "+358401234567")
    assert report.outcome is DeliveryOutcome.FAILED
    pending = decode_pdu(encode_status_report(42, "+358401234567", sent, sent, 0x30))
    assert isinstance(pending, SmsStatusReport) and pending.outcome is DeliveryOutcome.PENDING


def test_status_report_with_parameter_indicator_and_text() -> None:
    base = encode_status_report(
        5, "+358401234567", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    )
    with_text = base + "06" + "00" + build_user_data(Alphabet.GSM7, encode_gsm7("ok")).hex()
    report = decode_pdu(with_text)
    assert isinstance(report, SmsStatusReport)
    assert report.user_data is not None and report.user_data.text == "ok"


def test_concat_reference_must_fit_one_octet() -> None:
    with pytest.raises(PduError, match="0-255"):
        encode_submit("+358401234567", "a" * 200, concat_reference=256)


def test_flash_class_is_set_on_submit() -> None:
    message = _submit(encode_submit("+358401234567", "Soita!", message_class=0)[0].pdu)
    assert message.coding.octet == 0x10 and message.coding.is_flash


def test_star_and_hash_survive_as_semi_octets() -> None:
    # TS 23.040 §9.1.2.3: semi-octets 1010 and 1011 are '*' and '#'.
    field = encode_address("*100#")
    assert field.hex().upper() == "05811A00FB"
    assert read_address(PduReader(field), "TP-DA").value == "*100#"
