"""The VoIP line: baresip registered to the office's SIP provider, driven over ctrl_tcp."""
