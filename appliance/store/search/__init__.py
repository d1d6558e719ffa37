"""Search across tickets, messages and notes, customers and their numbers (`search_for`)."""
