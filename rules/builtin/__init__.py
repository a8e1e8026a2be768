"""Builtin rules: one module each, registered on import."""

from rules.builtin import missing_estimate, missing_outcome, missing_why

__all__ = ["missing_estimate", "missing_outcome", "missing_why"]
