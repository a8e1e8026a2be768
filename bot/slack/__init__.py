"""The Slack app: slash command, request intake and PO decisions (HTTP or Socket Mode)."""
