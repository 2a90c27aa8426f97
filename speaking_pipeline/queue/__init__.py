"""Delivery of processing requests: direct (local) or through QStash."""
