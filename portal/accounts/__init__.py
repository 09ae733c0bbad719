"""Officials, their roles, sign-in rules and the audit log."""
