"""The router of the site's pages (:mod:`alliance_kg.api.web.views`), under the name the app
includes it by; the pages themselves live in ``views/`` and their HTML in ``templates/``."""

from alliance_kg.api.web.views import router

__all__ = ["router"]
