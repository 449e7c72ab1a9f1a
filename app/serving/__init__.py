"""The action stage's runtime: the engine built from the catalog and wired into the worker."""
