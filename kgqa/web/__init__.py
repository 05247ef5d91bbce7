"""The HTTP service: one FastAPI app (`create_app`) run by `kgqa serve`."""
from .app import create_app

__all__ = ["create_app"]
