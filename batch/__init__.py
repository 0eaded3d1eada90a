"""Batch assessment: thousands of cases from JSON Lines, a folder, CSV or Excel, with worker processes.

A front end like the CLI: it calls the layers below and nothing imports it
(except the CLI, which offers it as ``zansai batch``).
"""
