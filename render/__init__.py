"""Renderers: every output (text, Markdown, JSON) is drawn from one Result object."""
