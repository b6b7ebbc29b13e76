"""What the benchmark asks of the API: one list of paths per scenario, cycled through."""

from collections.abc import Sequence
from dataclasses import dataclass

from bench import databases

DETAIL_SAMPLE = 200
DEEP_FRACTION = 0.9
PAGE = 50
# Landkreis Görlitz, one of the Kreise of bench/synthetic.py.
KREIS = "14626"

CEILING = "ceiling"
LIST = "list"
KREIS_LIST = "kreis list"
FILTERED = "filtered + 4 facets"
SEARCH_BROAD = "search broad"
SEARCH_SELECTIVE = "search selective"
DEEP_PAGE = "deep page"
DETAIL = "detail"
HELP = "help"
ORDER = (LIST, KREIS_LIST, FILTERED, SEARCH_BROAD, SEARCH_SELECTIVE, DEEP_PAGE, DETAIL, HELP)

# In about half the synthetic directory: in names, tasks and mailboxes.
BROAD_QUERY = "beratung"
# A town and a word of a few names: a handful of hits at every size (1 at 1 000, 17 at
# 100 000 with seed 42), organisations and contacts (the `opferberatung-oybin.de` mailboxes).
SELECTIVE_QUERY = "oybin opferberatung"
# Who helps, here: a Kreis and a city, each with what a counsellor asks for.
HELP_QUESTIONS = (
    f"/help?place={KREIS}&offer=legal-advice",
    "/help?place=14713&offer=victim-support&target_group=refugees",
)


@dataclass(frozen=True)
class Scenario:
    name: str
    paths: Sequence[str]


def scenarios(database: databases.Database) -> list[Scenario]:
    cursor = databases.cursor_at(database.url, DEEP_FRACTION)
    slugs = databases.sample_slugs(database.url, DETAIL_SAMPLE)
    facets = "kind,level,region,topic"
    return [
        Scenario(LIST, [f"/organisations?limit={PAGE}"]),
        Scenario(KREIS_LIST, [f"/organisations?region={KREIS}&limit={PAGE}"]),
        Scenario(FILTERED, [f"/organisations?kind=network&region={KREIS}&facets={facets}"]),
        Scenario(SEARCH_BROAD, [f"/search?q={BROAD_QUERY}"]),
        Scenario(SEARCH_SELECTIVE, [f"/search?q={SELECTIVE_QUERY.replace(' ', '+')}"]),
        Scenario(DEEP_PAGE, [f"/organisations?limit={PAGE}&cursor={cursor}"]),
        Scenario(DETAIL, [f"/organisations/{slug}" for slug in slugs]),
        Scenario(HELP, list(HELP_QUESTIONS)),
    ]
