"""Privacy by default: pseudonyms, IP truncation and PII masking before anything is cleaned."""
