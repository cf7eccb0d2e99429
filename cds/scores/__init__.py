"""Scores and classifications as pure functions."""
