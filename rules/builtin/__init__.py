"""Builtin rules: one module each, registered on import."""
