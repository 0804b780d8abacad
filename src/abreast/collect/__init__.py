"""Collect: connectors turn a source's HTTP responses into Items; all HTTP goes through
fetcher.py."""
