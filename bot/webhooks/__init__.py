"""Tracker webhooks: signed, deduplicated events that re-evaluate an item within seconds."""

from bot.webhooks.http import Dispatcher, register_webhooks

__all__ = ["Dispatcher", "register_webhooks"]
