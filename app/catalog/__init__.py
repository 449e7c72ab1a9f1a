"""The product catalog: PostgreSQL master data, ACID changes, outbox relay, read model."""
