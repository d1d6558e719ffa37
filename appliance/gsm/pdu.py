"""The SMS PDU codec in one import: decode what the modem prints, encode what AT+CMGS sends."""

from __future__ import annotations

from appliance.gsm.deliver_encode import encode_deliver, encode_status_report
from appliance.gsm.pdu_decode import decode_pdu
from appliance.gsm.pdu_error import PduError
from appliance.gsm.sms_address import Address
from appliance.gsm.sms_dcs import Alphabet, DataCoding
from appliance.gsm.sms_messages import (
    DeliveryOutcome,
    SmsDeliver,
    SmsPdu,
    SmsStatusReport,
    SmsSubmit,
)
from appliance.gsm.sms_udh import Concatenation
from appliance.gsm.submit_encode import SubmitPart, encode_submit

__all__ = [
    "Address",
    "Alphabet",
    "Concatenation",
    "DataCoding",
    "DeliveryOutcome",
    "PduError",
    "SmsDeliver",
    "SmsPdu",
    "SmsStatusReport",
    "SmsSubmit",
    "SubmitPart",
    "decode_pdu",
    "encode_deliver",
    "encode_status_report",
    "encode_submit",
]
