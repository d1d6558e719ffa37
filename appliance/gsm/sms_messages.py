"""Decoded SMS TPDUs: SMS-DELIVER, SMS-SUBMIT, SMS-STATUS-REPORT (3GPP TS 23.040 §9.2.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from appliance.gsm.sms_address import Address
from appliance.gsm.sms_dcs import DataCoding
from appliance.gsm.sms_udh import Concatenation
from appliance.gsm.sms_user_data import UserData


@dataclass(frozen=True)
class SmsDeliver:
    """A message from the network to us (TS 23.040 §9.2.2.1)."""

    smsc: Address | None
    sender: Address
    protocol_id: int
    coding: DataCoding
    timestamp: datetime
    user_data: UserData
    more_messages: bool = False
    status_report_indicated: bool = False
    reply_path: bool = False

    @property
    def text(self) -> str:
        """The text of this PDU alone (one part of a long message, perhaps)."""
        return self.user_data.text

    @property
    def concatenation(self) -> Concatenation | None:
        """Which part of a long message this is, if it is one."""
        return self.user_data.concatenation


@dataclass(frozen=True)
class SmsSubmit:
    """A message from us to the network, as stored on a SIM or sent (TS 23.040 §9.2.2.2)."""

    smsc: Address | None
    message_reference: int
    recipient: Address
    protocol_id: int
    coding: DataCoding
    validity: timedelta | datetime | bytes | None
    user_data: UserData
    status_report_requested: bool = False
    reject_duplicates: bool = False
    reply_path: bool = False

    @property
    def text(self) -> str:
        """The text of this PDU alone."""
        return self.user_data.text

    @property
    def concatenation(self) -> Concatenation | None:
        """Which part of a long message this is, if it is one."""
        return self.user_data.concatenation


class DeliveryOutcome(Enum):
    """What a status report says happened to a sent message (TS 23.040 §9.2.3.15)."""

    DELIVERED = "delivered"
    PENDING = "pending"
    FAILED = "failed"


@dataclass(frozen=True)
class SmsStatusReport:
    """The centre's report on a message we sent (TS 23.040 §9.2.2.3)."""

    smsc: Address | None
    message_reference: int
    recipient: Address
    timestamp: datetime
    discharge_time: datetime
    status: int
    user_data: UserData | None = None
    more_messages: bool = False
    reports_command: bool = False

    @property
    def outcome(self) -> DeliveryOutcome:
        """Delivered (0x00-0x1F), still trying (0x20-0x3F) or given up (the rest)."""
        if self.status <= 0x1F:
            return DeliveryOutcome.DELIVERED
        if self.status <= 0x3F:
            return DeliveryOutcome.PENDING
        # 0x40-0x7F are permanent errors or temporary ones the centre no longer
        # retries; reserved values count as failures so that nobody waits forever.
        return DeliveryOutcome.FAILED


SmsPdu = SmsDeliver | SmsSubmit | SmsStatusReport
