"""The regional service's workplace: REST API (OpenAPI at /docs) and the server-rendered web UI.

`services.api.app.create_app(settings, api_settings)` is the composition root; nothing connects at
import time.
"""
