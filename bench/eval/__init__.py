"""Offline evaluation of the recommenders on MovieLens-100k (``make eval``).

The data set is read from the ``recbole`` wheel at run time and never copied into the repository:
its licence forbids redistribution. See docs/eval.md.
"""
