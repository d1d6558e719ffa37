"""Settings: agents, lines, hours, ring groups, MQTT, desks; first-boot setup."""
