"""Deterministic demo data (演示数据). Every demo row carries is_demo = True."""
