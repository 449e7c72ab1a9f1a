"""The enrichment stage's pure logic: sessionization and behavioural profiles."""
