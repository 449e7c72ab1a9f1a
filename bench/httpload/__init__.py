"""Helpers of bench_http: the wrk load process and the loaded worker."""
