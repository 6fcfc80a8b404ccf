"""Comparisons with other simulators."""
