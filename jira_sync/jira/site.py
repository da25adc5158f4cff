"""Where a Jira lives and how to sign in to it."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from enum import StrEnum


class Deployment(StrEnum):
    CLOUD = "cloud"  # /rest/api/3, Basic e-mail:API token, ADF, search/jql with nextPageToken
    DATA_CENTER = "data_center"  # /rest/api/2, Bearer personal access token, wiki markup, search with startAt


@dataclass(frozen=True)
class JiraSite:
    base_url: str
    deployment: Deployment
    email: str = ""
    api_token: str = field(default="", repr=False)
    pat: str = field(default="", repr=False)

    @classmethod
    def cloud(cls, base_url: str, email: str, api_token: str) -> JiraSite:
        return cls(base_url.rstrip("/"), Deployment.CLOUD, email=email, api_token=api_token)

    @classmethod
    def data_center(cls, base_url: str, pat: str) -> JiraSite:
        return cls(base_url.rstrip("/"), Deployment.DATA_CENTER, pat=pat)

    @property
    def is_cloud(self) -> bool:
        return self.deployment == Deployment.CLOUD

    @property
    def api_version(self) -> str:
        return "3" if self.is_cloud else "2"

    @property
    def api_root(self) -> str:
        return f"/rest/api/{self.api_version}"

    def auth_headers(self) -> dict[str, str]:
        if self.is_cloud:
            if not (self.email and self.api_token):
                return {}
            pair = base64.b64encode(f"{self.email}:{self.api_token}".encode()).decode()
            return {"Authorization": f"Basic {pair}"}
        return {"Authorization": f"Bearer {self.pat}"} if self.pat else {}
