"""Links into the site from a digest or a webhook message (``DELIVERY_PUBLIC_URL``)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class SiteLinks:
    base: str  # scheme and host, no trailing slash

    def briefing(self, briefing_id: str) -> str:
        return f"{self.base}/briefings/{quote(briefing_id, safe='')}"

    def radar(self, radar_id: str) -> str:
        return f"{self.base}/radars/{quote(radar_id, safe='')}"

    def digest_settings(self) -> str:
        return f"{self.base}/account/digest"

    def unsubscribe(self, token: str) -> str:
        return f"{self.base}/unsubscribe?token={quote(token, safe='')}"

    @property
    def host(self) -> str:
        return self.base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
