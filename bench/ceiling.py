"""The ceiling: the smallest FastAPI app, served and measured like the real one.

Its one route is a plain `def`, like the application's, so both pay for the
same thread-pool hand-off and the ratio to it shows what our own code costs.
"""

from fastapi import FastAPI

app = FastAPI(title="Benchmark ceiling", openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/")
def constant() -> dict[str, str]:
    return {"name": "Wegweiser Sachsen", "status": "ok"}
