"""Notices: what the portal sends to citizens who asked for it (follows by e-mail or SMS,
complaint notices), through an outbox written in the event's own transaction and a worker
that fans each event out and sends (see delivery.py; SMS in sms.py)."""
