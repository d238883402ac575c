"""A JSON view added by a method decorator (``@app.get``) in a module that names nothing
else the index looks for: the catch-all page never sees its requests."""

from app import app


@app.get("/health")
def health():
    return {"ok": True}

