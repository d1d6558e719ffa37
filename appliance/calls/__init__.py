"""The call desk: runs the pure call flow (appliance.queue.call_flow) on lines; call records."""
