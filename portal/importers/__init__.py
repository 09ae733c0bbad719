"""Announcement and registry files -> validated rows -> upsert."""
