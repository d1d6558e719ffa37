"""Can this line carry a voice call right now? Circuit-switched, VoLTE, or not at all.

From what the modem reports: the access technology of the registered
network (`AT+COPS?` <AcT>, 3GPP TS 27.007 §7.3: 0 GSM, 2 UTRAN, 3 GSM/EGPRS,
4-6 UTRAN with HSPA, 7 E-UTRAN) and, on LTE, whether the module is
registered to IMS (`AT+CIREG?`, TS 27.007 §8.71: <reg_info> 1 = registered),
which is what carries voice as VoLTE. On LTE without IMS, a call works
only if the network moves it to 2G/3G (CS fallback); where those are
switched off (Finland's 3G went in 2023-2024, 2G follows), it does not.
"""

from __future__ import annotations

from dataclasses import dataclass

CIRCUIT_SWITCHED_ACTS = frozenset({0, 1, 2, 3, 4, 5, 6})
LTE_ACT = 7


@dataclass(frozen=True, slots=True)
class VoiceReadiness:
    """The answer for doctor and the setup page."""

    can_carry_voice: bool | None  # None: cannot tell
    bearer: str  # "2G/3G circuit-switched", "VoLTE", "none", "unknown"
    detail: str


def assess(registered: bool, act: int | None, ims_registered: bool | None,
           volte_enabled: bool | None) -> VoiceReadiness:
    """Judge voice from registration, access technology and IMS state."""
    if not registered:
        return VoiceReadiness(False, "none", "not registered to a network: no calls")
    if act in CIRCUIT_SWITCHED_ACTS:
        return VoiceReadiness(True, "2G/3G circuit-switched",
                              "registered on 2G/3G: voice calls are circuit-switched")
    if act == LTE_ACT:
        if ims_registered:
            return VoiceReadiness(True, "VoLTE", "registered on LTE with IMS: calls use VoLTE")
        hint = ("VoLTE is switched off in the module" if volte_enabled is False
                else "the SIM or network gives no VoLTE (IMS not registered)")
        return VoiceReadiness(None, "unknown",
                              f"registered on LTE only and {hint}: calls work only if the "
                              "network falls back to 2G/3G; where those are switched off this "
                              "SIM cannot carry voice (ask the operator for VoLTE)")
    return VoiceReadiness(None, "unknown", "the modem did not say which network technology "
                                           "it uses")


def parse_cops_act(line: str) -> int | None:
    """<AcT> from `+COPS: 0,0,"Elisa",7` (None when absent)."""
    fields = line.split(":", 1)[-1].split(",")
    if len(fields) >= 4 and fields[3].strip().isdigit():
        return int(fields[3])
    return None


def parse_cireg(line: str) -> bool | None:
    """IMS registered? from `+CIREG: <n>,<reg_info>[,...]`."""
    fields = line.split(":", 1)[-1].split(",")
    if len(fields) >= 2 and fields[1].strip().isdigit():
        return fields[1].strip() == "1"
    return None
