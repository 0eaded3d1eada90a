"""The application layer: the desk every front end calls (see ``app.desk``)."""

from app.desk import Desk, load_result

__all__ = ["Desk", "load_result"]
