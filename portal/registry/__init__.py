"""The shared core every record points to: jurisdictions, districts and businesses."""
