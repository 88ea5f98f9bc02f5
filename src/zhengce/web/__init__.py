"""The web application: server-rendered pages (Chinese UI) and a JSON API under /api/v1.

    from zhengce.web import create_app
    app = create_app("data/zhengce.db")    # serve with uvicorn; `zhengce serve` does
"""

from .app import create_app

__all__ = ["create_app"]
