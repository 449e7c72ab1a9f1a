"""The cleaning stage's pure logic: validation, normalization, bot scoring (no I/O here)."""
