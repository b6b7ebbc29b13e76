from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import Field


class HitType(StrEnum):
    organisation = "organisation"
    network = "network"  # an organisation of a network kind (network, committee, …)
    region = "region"
    contact = "contact"


@dataclass(kw_only=True, slots=True)
class SearchHit:
    type: Annotated[
        HitType,
        Field(
            examples=["organisation"],
            description="`organisation`, `network` (networks, committees, working groups, "
            "round tables), `region` or `contact`.",
        ),
    ]
    slug: Annotated[
        str,
        Field(
            examples=["opferberatung-raa-sachsen"],
            description="The slug of an organisation, network or region; a contact's id.",
        ),
    ]
    name: Annotated[
        str,
        Field(
            examples=["Opferberatung der RAA Sachsen e.V."],
            description="The name; for a contact, its value (address, URL, number or name).",
        ),
    ]
    kind: Annotated[
        str,
        Field(
            examples=["counselling_service"],
            description="The organisation's, region's or contact's kind.",
        ),
    ]
    snippet: Annotated[
        str,
        Field(
            examples=["<mark>Opferberatung</mark> der RAA Sachsen e.V."],
            description="A short extract of the record's text, HTML-escaped, the words that "
            "match the query in `<mark>…</mark>`: safe to insert into a page as it is.",
        ),
    ]
    url: Annotated[
        str, Field(examples=["http://127.0.0.1:8000/organisations/opferberatung-raa-sachsen"])
    ]
