"""The processing steps of one session as plain functions, called by Dagster assets."""
