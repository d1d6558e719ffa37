"""`aspa doctor`: each part of the box reports how it is, through a registry of checks."""

from appliance.doctor.registry import Finding, doctor_check, run_checks

__all__ = ["Finding", "doctor_check", "run_checks"]
