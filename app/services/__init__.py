"""Async services around the backing stores, one per store, started with the worker."""
