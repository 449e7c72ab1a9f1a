"""The product catalog: PostgreSQL master data, ACID changes, outbox relay and product cache."""
