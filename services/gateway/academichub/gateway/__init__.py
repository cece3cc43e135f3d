"""The gateway service: HTTP API, web pages and metrics; publishes radar changes.

:func:`.app.create_app` builds the FastAPI app from the collaborators it is given;
:func:`.bootstrap.main` is the composition root that opens the real ones and serves.
Pure parts (no framework, no I/O) are the :mod:`.domain` package.
"""
