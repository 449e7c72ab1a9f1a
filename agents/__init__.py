"""Faust agents, one module per pipeline stage (raw → cleaned → enriched → action)."""
