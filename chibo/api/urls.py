"""The JSON API under /api/v1/: one router per app, the same actions and queries as the pages."""

from ninja import NinjaAPI

api = NinjaAPI(title="Chibo API", version="1", urls_namespace="api")
