"""The web desk's routes, one module per job; each has ``register(api, web)`` (``web``: a ``web.context.Web``)."""
