"""A Confluent-compatible schema registry backed by a compacted Kafka topic."""
