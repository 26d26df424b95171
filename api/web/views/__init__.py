"""The pages of the site, one module per page with its routes and the data it prepares for its
template: :mod:`.home` (``/`` and the assets), :mod:`.network` (``/network`` and the network
exports), :mod:`.entity` (the HTML of ``/id/...``), :mod:`.coverage` (the HTML of
``/coverage``), :mod:`.publishing` (``/cookbook``, ``/.well-known/void``, ``/dumps/``) and
:mod:`.query` (the SPARQL query page).
They ask the lookup service (:mod:`alliance_kg.api.deps`) for their data, as REST does."""

from alliance_kg.api.web.views import home, network
from fastapi import APIRouter

# The pages with routes of their own (entity, coverage and query pages are answered by the
# routers of their resources; publishing has its own router).
router = APIRouter()
router.include_router(home.router)
router.include_router(network.router)
