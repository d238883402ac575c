"""Production-side knowledge: views, request hooks, and what they do with files."""
