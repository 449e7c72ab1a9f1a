"""The PostgreSQL side of the user-profile domain and its privacy machinery (issue 6).

- :mod:`.crypto`     field-level AES-GCM with key ids, bound to (table, column, user_key)
- :mod:`.fields`     every personal field, where it lives, and what each purpose may see
- :mod:`.store`      ``ProfileStore``: encrypted writes, minimized and access-logged reads
- :mod:`.access`     the access log (who, what, when, why)
- :mod:`.consent`    the consent ledger (append-only) and current consent per user
- :mod:`.retention`  retention periods per data class and the sweep
- :mod:`.rotation`   re-encryption of every value under the active key
- :mod:`.gdpr`       export/erase orchestrator over pluggable stores, and the store registry
- :mod:`.stores`     the PostgreSQL, Milvus and Kafka (tombstone) stores

See docs/privacy.md.
"""
