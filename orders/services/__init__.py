"""Writes for the handleplan, the bestilling and the provider's delivery records, one module per
step. Each checks the access policy, validates, writes and audits in one transaction;
notifications go in the same transaction (their e-mails leave through the outbox after commit)."""
