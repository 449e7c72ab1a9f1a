"""Faust tables (RocksDB-backed), declared once and imported by agents and views."""
