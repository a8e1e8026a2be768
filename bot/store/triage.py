"""Open items by label or by status, through the indexed `item_facets` table (migration 0007),
so triage never decodes or scans the items it does not want."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.store.models import ItemFacet, ItemRow
from bot.store.store import Store
from connectors.item import Item


class TriageItems:
    """Open (not done, not gone) items of a source carrying a label or in a status."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def labelled(self, source: str, label: str) -> list[Item]:
        """Items carrying `label`, compared without case."""
        wanted = label.strip().lower()
        return [
            item
            for item in self._with("label", source, label)
            if wanted in (name.strip().lower() for name in item.labels)
        ]

    def in_status(self, source: str, status: str) -> list[Item]:
        """Items whose status is `status`, compared without case."""
        wanted = status.strip().lower()
        return [
            item
            for item in self._with("status", source, status)
            if item.status.strip().lower() == wanted
        ]

    def _with(self, facet: str, source: str, value: str) -> list[Item]:
        query = (
            select(ItemRow.data)
            .join(ItemFacet, ItemFacet.item_id == ItemRow.id)
            .where(
                ItemFacet.facet == facet,
                # The same fold the triggers applied when they stored the facet.
                ItemFacet.value == func.lower(func.trim(value)),
                ItemRow.source == source,
                ItemRow.gone_at.is_(None),
                ItemRow.status_category != "done",
            )
            .order_by(ItemRow.id)
        )
        with self.store.session() as session:
            return [Item.from_dict(data) for data in session.scalars(query)]
