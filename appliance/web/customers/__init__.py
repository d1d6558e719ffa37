"""Customers: a customer's page, history, contacts, VIP and merging."""
