"""The exchange: runs the pure call flow (appliance.queue.call_flow) on lines; call records."""
