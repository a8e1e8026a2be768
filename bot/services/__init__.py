"""Use cases shared by the CLI, the Slack app, the scheduler and the webhooks."""
