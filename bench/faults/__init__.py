"""Fault runs for the fault suite (bench/fault_suite.py); the quick tests reuse them."""
