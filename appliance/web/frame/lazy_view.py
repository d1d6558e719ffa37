"""A route's handler imported on its first request: rarely used pages cost no memory at start.

The route itself is registered at start like any other (same path, method and
middlewares; the router lists it), only the module behind it waits: the first
request imports `module:function`, keeps the function and calls it; later
requests call it straight away. A view that cannot be imported fails that
request like any other handler error (a 500 page, the log naming the module),
and the next request tries again.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ViewNotLoaded(ImportError):
    """A lazily registered view could not be imported; the message names `module:function`."""


def load_view(target: str) -> Handler:
    """Import `module:function` and return the function."""
    module_name, _, name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        view: Handler = getattr(module, name)
    except (ImportError, AttributeError) as error:
        raise ViewNotLoaded(f"the view {target} could not be loaded: {error}") from error
    return view


def lazy_view(target: str) -> Handler:
    """A handler for `module:function` that imports it on its first call and keeps it."""
    module_name, colon, name = target.partition(":")
    if not colon or not module_name or not name.isidentifier():
        raise ValueError(f"a lazy view is named as module:function, not {target!r}")
    loaded: list[Handler] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        if not loaded:
            loaded.append(load_view(target))
        return await loaded[0](request)

    # What the router and a traceback show is the view's own name, not this wrapper's.
    handler.__module__ = module_name
    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = f"{target}, imported on its first request."
    return handler
