"""The GSM line: AT command channel, modem driver (calls, SMS), supervisor and simulator."""
