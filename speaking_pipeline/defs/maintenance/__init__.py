"""Housekeeping: dead run workers, stale pool slots and audio left behind."""
