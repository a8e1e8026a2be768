"""Rendering: Block Kit JSON, terminal tables, ticket comments — plain data, no I/O."""
