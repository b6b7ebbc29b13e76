"""The FastAPI application: `uvicorn app.main:app`."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from app import problems, root, speedups
from app.changes.router import router as changes_router
from app.config import Settings, get_settings
from app.contacts.router import router as contacts_router
from app.cors import Cors
from app.db import make_engine
from app.deps import refuse_nul_characters
from app.editing import document_bodies
from app.errors import document_problems, install_error_handlers
from app.examples import document_examples
from app.exchange.router import router as exchange_router
from app.help.router import router as help_router
from app.hsds.router import router as hsds_router
from app.http_cache import HttpCache
from app.keys.router import router as keys_router
from app.networks.router import router as networks_router
from app.organisations.router import router as organisations_router
from app.reading import Reader
from app.regions.router import router as regions_router
from app.relations.router import router as relations_router
from app.response_cache import ResponseStore
from app.revision import loop_revision
from app.search.router import router as search_router
from app.vocabularies.catalogue import catalogue
from app.vocabularies.router import router as vocabularies_router

DESCRIPTION = """
**Wer macht was, wo?** A directory of the state bodies, networks, associations,
projects and committees working on asylum and refugee support in Saxony, with
their tasks, members, partners, regions and contacts.

The data comes from *Praxis vor Ort* (IQ Netzwerk Sachsen, 16.04.2015); every
record names the slide and section it was taken from.

Lists share one envelope (`items`, `total`, `limit`, `links`) with cursor
pagination; errors are RFC 9457 `application/problem+json`.
"""

TAGS = [
    {
        "name": "organisations",
        "description": "Every actor: authorities, associations, projects, networks …",
    },
    {
        "name": "networks",
        "description": "Networks, committees, working groups and round tables with members.",
    },
    {"name": "regions", "description": "Freistaat Sachsen, its Kreise and the places below them."},
    {"name": "contacts", "description": "E-mail addresses, websites and named people."},
    {
        "name": "relations",
        "description": "Typed relations between organisations: member of, run by, funded by …",
    },
    {"name": "search", "description": "Full-text search across all of the above."},
    {
        "name": "help",
        "description": "Who helps with what, here: what serves a place, near to far, "
        "by what it offers, for whom and how.",
    },
    {
        "name": "changes",
        "description": "The change feed: every create, update and delete, for mirrors.",
    },
    {
        "name": "keys",
        "description": "API keys for writing; managing them needs a key with scope `admin`.",
    },
    {
        "name": "vocabularies",
        "description": "What organisations offer, for whom and how: concept schemes with "
        "labels in six languages (`Accept-Language` or `lang=`), under CC BY 4.0.",
    },
    {
        "name": "hsds",
        "description": "The directory as Open Referral HSDS 3.1: organizations, services, "
        "taxonomies and their terms, for tools that speak the standard.",
    },
    {
        "name": "exchange",
        "description": "The whole directory as one file, out and back in, for admin keys.",
    },
    {"name": "meta", "description": "The API index and the problem types of its errors."},
]


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    speedups.install()
    catalogue()  # reviewed data: a broken vocabulary file stops the start, not a request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.reader.close()
        app.state.engine.dispose()
        await app.state.revision.aclose()

    app = FastAPIOffline(
        title="Wegweiser Sachsen",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        generate_unique_id_function=_operation_id,
        lifespan=lifespan,
        dependencies=[Depends(refuse_nul_characters)],
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url, echo=settings.database_echo)
    app.state.revision = loop_revision(settings.database_url)
    app.state.reader = Reader(
        app.state.engine, app.state.revision, settings.read_threads, settings.read_memo
    )
    install_error_handlers(app)
    document_problems(app)
    document_bodies(app)
    document_examples(app, settings.base_url)
    app.state.response_store = ResponseStore(settings.response_cache_bytes)
    app.add_middleware(
        HttpCache,
        max_age=settings.cache_max_age,
        store=app.state.response_store if settings.response_cache_bytes > 0 else None,
        revision=app.state.revision,
    )
    # Outermost, added last: every response leaves through it, stored ones included.
    app.add_middleware(Cors, write_origins=settings.cors_write_origins)
    for router in (
        root.router,
        organisations_router,
        networks_router,
        regions_router,
        contacts_router,
        relations_router,
        search_router,
        help_router,
        changes_router,
        vocabularies_router,
        hsds_router,
        exchange_router,
        keys_router,
        problems.router,
    ):
        app.include_router(router)
    return app


app = create_app()

# What the process has made by now (modules, routes, schemas, vocabularies: some 200 000
# objects) lives as long as it does. Frozen, the garbage collector's full collections no
# longer walk it: each took about 100 ms at 100 000 organisations, while every request
# waited, and came every few seconds under load; now they take a few.
gc.collect()
gc.freeze()
