"""Request authenticity checks: verifying that queue deliveries really come from QStash."""
