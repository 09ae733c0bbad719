"""Complaints and reports (投诉举报): filing, tracking, handling within legal deadlines."""
