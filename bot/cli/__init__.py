"""The `refinery` command line."""
