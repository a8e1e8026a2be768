"""Tracker webhooks: signed, deduplicated events kept in an inbox, re-evaluating an item within
seconds."""

from bot.webhooks.http import register_webhooks
from bot.webhooks.worker import Dispatcher

__all__ = ["Dispatcher", "register_webhooks"]
