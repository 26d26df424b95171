"""The router of ``/cookbook``, ``/.well-known/void`` and ``/dumps/``
(:mod:`alliance_kg.api.web.views.publishing`), under the name the app includes it by."""

from alliance_kg.api.web.views.publishing import router

__all__ = ["router"]
