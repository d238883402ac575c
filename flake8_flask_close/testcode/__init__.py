"""Test-side knowledge: what a test file, a client, a response and a close are."""
