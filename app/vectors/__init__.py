"""The vector domain: encoders, blends, validation, the Milvus store, versions, the hot index.

Milvus is the system of record; each embedding model version writes its own physical
collection and an alias names the live one. The serving path searches an in-process faiss index
kept in step by the same upserts (see docs/vectors.md for the measured figures).
"""
