def fetch_csv(cl, name):
    return cl.get(f"/exports/{name}")
