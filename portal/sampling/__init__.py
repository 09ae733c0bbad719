"""Sampling results: import, publish, search, statistics and 核查处置."""
