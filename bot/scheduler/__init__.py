"""Scheduled jobs (sync, digest, refinement reminder) run by one elected process at a time."""
