"""The two reference pipelines the throughput benchmark compares Headwater's worker with."""
