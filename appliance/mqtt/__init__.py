"""MQTT: the box's figures, events and daily summaries for dashboards and Home Assistant."""
