"""The three stages of the pipeline, raw → cleaned → enriched → action.

:mod:`app.stages.skeleton` is the frame every stage batch runs in; ``clean``, ``enrich`` and
``act`` hold each stage's logic as plain functions over decoded records and per-key state.
The agents in ``agents/`` only declare which topics, which stage and which tables.
"""
