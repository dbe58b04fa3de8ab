"""One module per report kind, each building the context its template prints (reporting/render.py)."""
