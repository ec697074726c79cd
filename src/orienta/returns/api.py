"""The returns API: movements, manifests, arrivals, and the advance-list endpoint."""

from ninja import Router

router = Router(tags=["returns"])
