"""Satisfaction surveys (食品安全满意度): definitions as data, responses, scores, statistics."""
