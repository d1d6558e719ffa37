"""Working the queue: the queue page, tickets, replies, notes and messages."""
