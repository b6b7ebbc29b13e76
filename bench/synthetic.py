"""`python -m bench.synthetic --organisations N`: a large synthetic directory for benchmarks.

The directory looks like the real one: German names and descriptions, the real
Saxon districts with their official codes and a few hundred municipalities
under them, every kind of organisation, topics, contacts and typed relations.
Everything is drawn from one random generator seeded by `--seed`, timestamps
included, so the same arguments give the same database row for row.

Rows are written with bulk inserts in one write transaction of the application's
write path (app.writes: its lock, one revision, a change-log row per record,
so the change feed starts with these records as created), with the derived
fields computed by the resources' own functions (`derived_fields` in
app/<resource>/writes.py). Every record points to the source document
`synthetic`, so nobody mistakes it for real data.
"""

import argparse
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers every table on the metadata
from app.changes.models import Action, Resource
from app.config import get_settings
from app.contacts import writes as contact_writes
from app.contacts.models import ContactKind
from app.db import make_engine
from app.folding import slugify
from app.organisations import concepts
from app.organisations import writes as organisation_writes
from app.organisations.models import (
    NETWORK_KINDS,
    Level,
    OrganisationKind,
    RegionRole,
    RelationType,
)
from app.regions import writes as region_writes
from app.regions.models import RegionKind
from app.vocabularies.catalogue import catalogue
from app.writes import Author, begin_write, change_row, end_write

SOURCE_SLUG = "synthetic"
SECTION = "Synthetische Daten"
BATCH_SIZE = 5_000
# Timestamps are drawn between these two moments, so they are part of the seed too.
EPOCH = datetime(2023, 1, 1, tzinfo=UTC)
GENERATED_AT = datetime(2026, 1, 1, tzinfo=UTC)
VALID_AS_OF = GENERATED_AT.date()
AUTHOR = Author("synthetic", "Synthetische Daten für Last- und Leistungstests")


# --- Regions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class District:
    code: str
    name: str
    kind: RegionKind
    population: int  # thousands; how many organisations settle there
    phone_prefix: str
    postcode_prefix: str
    real_towns: str = ""  # "; "-separated, largest first

    @property
    def towns(self) -> list[str]:
        return self.real_towns.split("; ") if self.real_towns else []


STATE_CODE = "14"
STATE_NAME = "Freistaat Sachsen"

DISTRICTS: tuple[District, ...] = (
    District("14511", "Chemnitz", RegionKind.urban_district, 250, "0371", "091"),
    District("14612", "Dresden", RegionKind.urban_district, 560, "0351", "010"),
    District("14713", "Leipzig", RegionKind.urban_district, 600, "0341", "041"),
    District(
        "14521", "Erzgebirgskreis", RegionKind.rural_district, 330, "03733", "094",
        "Annaberg-Buchholz; Aue-Bad Schlema; Marienberg; Schwarzenberg; Stollberg; Olbernhau; "
        "Zschopau; Zwönitz; Lößnitz; Thalheim; Eibenstock; Geyer; Thum; Ehrenfriedersdorf; "
        "Johanngeorgenstadt; Oberwiesenthal; Jöhstadt",
    ),
    District(
        "14522", "Landkreis Mittelsachsen", RegionKind.rural_district, 300, "03731", "096",
        "Freiberg; Döbeln; Mittweida; Flöha; Frankenberg/Sa.; Hainichen; Rochlitz; Burgstädt; "
        "Brand-Erbisdorf; Oederan; Roßwein; Waldheim; Hartha; Leisnig; Penig; Geringswalde; "
        "Augustusburg",
    ),
    District(
        "14523", "Vogtlandkreis", RegionKind.rural_district, 225, "03741", "085",
        "Plauen; Reichenbach im Vogtland; Auerbach/Vogtl.; Oelsnitz/Vogtl.; Markneukirchen; "
        "Klingenthal; Falkenstein/Vogtl.; Rodewisch; Treuen; Lengenfeld; Adorf/Vogtl.; "
        "Bad Elster; Netzschkau; Elsterberg; Schöneck/Vogtl.; Pausa-Mühltroff",
    ),
    District(
        "14524", "Landkreis Zwickau", RegionKind.rural_district, 310, "0375", "080",
        "Zwickau; Crimmitschau; Glauchau; Limbach-Oberfrohna; Werdau; Meerane; "
        "Hohenstein-Ernstthal; Lichtenstein/Sa.; Wilkau-Haßlau; Kirchberg; Oberlungwitz; "
        "Waldenburg; Mülsen; Fraureuth; Reinsdorf",
    ),
    District(
        "14625", "Landkreis Bautzen", RegionKind.rural_district, 300, "03591", "026",
        "Bautzen; Hoyerswerda; Kamenz; Radeberg; Bischofswerda; Pulsnitz; Großröhrsdorf; "
        "Königsbrück; Wittichenau; Lauta; Elstra; Wilthen; Schirgiswalde-Kirschau; Bernsdorf; "
        "Ottendorf-Okrilla; Lohsa; Radibor",
    ),
    District(
        "14626", "Landkreis Görlitz", RegionKind.rural_district, 250, "03581", "028",
        "Görlitz; Zittau; Weißwasser/O.L.; Löbau; Niesky; Ebersbach-Neugersdorf; Herrnhut; "
        "Reichenbach/O.L.; Rothenburg/O.L.; Bad Muskau; Ostritz; Seifhennersdorf; Großschönau; "
        "Oybin; Boxberg/O.L.; Kodersdorf; Neusalza-Spremberg",
    ),
    District(
        "14627", "Landkreis Meißen", RegionKind.rural_district, 240, "03521", "016",
        "Meißen; Riesa; Radebeul; Coswig; Großenhain; Radeburg; Moritzburg; Weinböhla; Nossen; "
        "Gröditz; Strehla; Lommatzsch; Klipphausen; Priestewitz; Käbschütztal",
    ),
    District(
        "14628", "Landkreis Sächsische Schweiz-Osterzgebirge", RegionKind.rural_district, 245,
        "03501", "017",
        "Pirna; Freital; Heidenau; Dippoldiswalde; Sebnitz; Neustadt in Sachsen; Bad Schandau; "
        "Königstein; Altenberg; Glashütte; Wilsdruff; Tharandt; Rabenau; Stolpen; Dohna; "
        "Kreischa; Bannewitz; Bad Gottleuba-Berggießhübel",
    ),
    District(
        "14729", "Landkreis Leipzig", RegionKind.rural_district, 260, "03433", "046",
        "Borna; Grimma; Markkleeberg; Wurzen; Markranstädt; Zwenkau; Böhlen; Groitzsch; "
        "Naunhof; Brandis; Colditz; Bad Lausick; Frohburg; Geithain; Pegau; Machern; "
        "Belgershain",
    ),
    District(
        "14730", "Landkreis Nordsachsen", RegionKind.rural_district, 200, "03421", "048",
        "Torgau; Delitzsch; Oschatz; Eilenburg; Schkeuditz; Taucha; Bad Düben; Dommitzsch; "
        "Belgern-Schildau; Dahlen; Mügeln; Rackwitz; Wiedemar; Zschepplin; Laußig",
    ),
)  # fmt: skip

# Districts dissolved by the 2008 reform: no code today, filed under their successor.
FORMER_DISTRICTS: tuple[tuple[str, str], ...] = (
    ("Landkreis Löbau-Zittau", "14626"),
    ("Niederschlesischer Oberlausitzkreis", "14626"),
    ("Landkreis Kamenz", "14625"),
    ("Landkreis Döbeln", "14522"),
    ("Landkreis Freiberg", "14522"),
    ("Weißeritzkreis", "14628"),
    ("Landkreis Torgau-Oschatz", "14730"),
    ("Landkreis Delitzsch", "14730"),
    ("Muldentalkreis", "14729"),
    ("Landkreis Riesa-Großenhain", "14627"),
    ("Landkreis Annaberg", "14521"),
    ("Landkreis Aue-Schwarzenberg", "14521"),
)

TOWNS_PER_DISTRICT = 30
# Made-up municipalities that fill each Landkreis up to TOWNS_PER_DISTRICT.
_TOWN_PREFIXES = ("", "Ober", "Nieder", "Groß", "Klein", "Neu", "Alt")
_TOWN_ROOTS = (
    "Lichten", "Rosen", "Linden", "Birken", "Mühl", "Kirch", "Wald", "Stein", "Eichen",
    "Sonnen", "Tannen", "Buch", "Wiesen", "Hasel", "Erlen", "Weiden", "Fichten", "Lerchen",
)  # fmt: skip
_TOWN_ENDINGS = ("au", "hain", "dorf", "bach", "witz", "grün", "berg", "feld", "roda", "thal")


@dataclass(frozen=True)
class PlannedRegion:
    code: str | None
    slug: str
    name: str
    kind: RegionKind
    parent_code: str | None = None
    note: str | None = None


def planned_regions() -> list[PlannedRegion]:
    """The region tree, parents before children; the same for every seed."""
    state_slug = slugify(STATE_NAME)
    regions = [PlannedRegion(STATE_CODE, state_slug, STATE_NAME, RegionKind.state)]
    taken = {slugify(d.name) for d in DISTRICTS} | {slugify(n) for n, _ in FORMER_DISTRICTS}
    taken.add(state_slug)
    names = iter(
        f"{prefix}{root.lower() if prefix else root}{ending}"
        for ending in _TOWN_ENDINGS
        for root in _TOWN_ROOTS
        for prefix in _TOWN_PREFIXES
    )
    towns: list[PlannedRegion] = []
    for district in DISTRICTS:
        regions.append(
            PlannedRegion(
                district.code, slugify(district.name), district.name, district.kind, STATE_CODE
            )
        )
        if district.kind is not RegionKind.rural_district:
            continue
        names_here = list(district.towns)
        while len(names_here) < TOWNS_PER_DISTRICT:
            name = next(names)
            if slugify(name) not in taken and name not in names_here:
                names_here.append(name)
        for number, name in enumerate(names_here, start=1):
            slug = slugify(name)
            if slug in taken:
                slug = f"{slug}-{slugify(district.name)}"
            taken.add(slug)
            code = f"{district.code}{number * 10:03d}"
            towns.append(PlannedRegion(code, slug, name, RegionKind.municipality, district.code))
    for name, successor in FORMER_DISTRICTS:
        regions.append(
            PlannedRegion(
                None,
                slugify(name),
                name,
                RegionKind.former_district,
                successor,
                note="Landkreis bis zur Kreisreform 2008",
            )
        )
    return regions + towns


def towns_by_district() -> dict[str, list[PlannedRegion]]:
    """The municipalities of each Landkreis, largest (real ones) first."""
    towns: dict[str, list[PlannedRegion]] = defaultdict(list)
    for region in planned_regions():
        if region.kind is RegionKind.municipality and region.parent_code:
            towns[region.parent_code].append(region)
    return towns


# --- Vocabulary ----------------------------------------------------------------------------

TOPICS = (
    "asyl", "integration", "arbeitsmarkt", "beratung", "rechtsberatung", "sozialberatung",
    "bildung", "jugend", "opferberatung", "antirassismus", "demokratie", "anerkennung",
    "unterbringung", "ehrenamt", "vernetzung",
)  # fmt: skip

TOPIC_WORDS = {
    "asyl": "Asyl und Asylverfahren",
    "integration": "Integration",
    "arbeitsmarkt": "Arbeit und Ausbildung",
    "beratung": "Beratung",
    "rechtsberatung": "Aufenthaltsrecht",
    "sozialberatung": "sozialen Leistungen",
    "bildung": "Bildung und Sprache",
    "jugend": "Jugend und Schule",
    "opferberatung": "Opferschutz",
    "antirassismus": "Rassismus und Diskriminierung",
    "demokratie": "Demokratie und Beteiligung",
    "anerkennung": "Anerkennung ausländischer Abschlüsse",
    "unterbringung": "Unterbringung und Wohnen",
    "ehrenamt": "Ehrenamt",
    "vernetzung": "Vernetzung vor Ort",
}

TASKS = {
    "asyl": ("Begleitung im Asylverfahren", "Informationen zum Asylverfahren"),
    "integration": ("Vermittlung in Integrationskurse", "Begegnungsangebote"),
    "arbeitsmarkt": ("Vermittlung in Ausbildung und Arbeit", "Bewerbungstraining"),
    "beratung": ("Allgemeine Migrationsberatung", "Beratung zu Aufenthalt und Familiennachzug"),
    "rechtsberatung": ("Asylverfahrensberatung", "Rechtsberatung im Aufenthaltsrecht"),
    "sozialberatung": ("Sozialberatung", "Unterstützung bei Anträgen und Behördengängen"),
    "bildung": ("Deutschkurse", "Hausaufgabenhilfe", "Sprachcafé"),
    "jugend": ("Beratung junger Zugewanderter", "Offene Jugendarbeit"),
    "opferberatung": ("Beratung Betroffener rechter Gewalt", "Begleitung zu Polizei und Gericht"),
    "antirassismus": ("Workshops gegen Rassismus", "Dokumentation rassistischer Vorfälle"),
    "demokratie": ("Demokratieförderung", "Fortbildungen für Fachkräfte"),
    "anerkennung": ("Anerkennungsberatung", "Qualifizierungsberatung"),
    "unterbringung": ("Unterbringung von Asylsuchenden", "Unterstützung bei der Wohnungssuche"),
    "ehrenamt": ("Koordination Ehrenamtlicher", "Vermittlung von Patenschaften"),
    "vernetzung": ("Vernetzung der Akteure vor Ort", "Organisation von Fachtagen"),
}

TARGET_GROUPS = (
    "Geflüchtete", "Asylsuchende", "Menschen mit Migrationsgeschichte",
    "unbegleitete minderjährige Geflüchtete", "Frauen mit Fluchterfahrung", "Familien",
    "Jugendliche", "Ehrenamtliche", "Fachkräfte", "Kommunen", "Arbeitgeber",
    "Betroffene rechter Gewalt", "Studierende", "Zugewanderte aus der EU", "Spätaussiedler",
)  # fmt: skip

LANGUAGES = (
    "Arabisch", "Farsi", "Dari", "Russisch", "Ukrainisch", "Englisch", "Französisch",
    "Tigrinya", "Kurdisch", "Polnisch", "Tschechisch", "Vietnamesisch", "Türkisch",
)  # fmt: skip

SPONSORS = (
    "Caritasverband", "Diakonie", "DRK-Kreisverband", "AWO", "Der Paritätische",
    "Volkssolidarität", "Johanniter", "Malteser Hilfsdienst", "Internationaler Bund",
    "Kolpingwerk", "Stadtmission", "Ausländerrat",
)  # fmt: skip


@dataclass(frozen=True)
class KindProfile:
    weight: int  # percent of all organisations
    names: tuple[tuple[str, str | None], ...]  # (name, short name); `{ort}`, `{traeger}`
    noun: str
    topics: tuple[str, ...]
    legal_forms: tuple[str | None, ...] = (None,)


K = OrganisationKind
PROFILES: dict[str, KindProfile] = {
    K.counselling_service: KindProfile(
        18,
        (
            ("Migrationsberatung für Erwachsene {ort}", "MBE {ort}"),
            ("Beratungsstelle für Geflüchtete {ort}", None),
            ("Flüchtlingssozialarbeit {ort}", "FSA {ort}"),
            ("Opferberatung {ort}", None),
            ("Rechtsberatung für Asylsuchende {ort}", None),
            ("Jugendmigrationsdienst {ort}", "JMD {ort}"),
            ("Psychosoziale Beratungsstelle für Geflüchtete {ort}", None),
            ("Anerkennungsberatung {ort}", None),
            ("Migrationsberatung des {traeger} {ort}", None),
            ("Sozialberatung für Migrantinnen und Migranten {ort}", None),
        ),
        "Beratungsstelle",
        ("beratung", "rechtsberatung", "sozialberatung", "opferberatung", "anerkennung", "asyl"),
    ),
    K.association: KindProfile(
        20,
        (
            ("Flüchtlingshilfe {ort}", None),
            ("Ausländerrat {ort}", None),
            ("{ort} hilft", None),
            ("Verein für Integration und Begegnung {ort}", "VIB {ort}"),
            ("Willkommensbündnis {ort}", None),
            ("Internationaler Frauentreff {ort}", None),
            ("Kulturbrücke {ort}", None),
            ("{traeger} {ort}", None),
            ("Netzwerk für Demokratie und Courage {ort}", "NDC {ort}"),
        ),
        "Gemeinnütziger Verein",
        ("integration", "ehrenamt", "beratung", "bildung", "antirassismus"),
        ("e.V.",),
    ),
    K.project: KindProfile(
        12,
        (
            ("Sprachcafé {ort}", None),
            ("Projekt Ankommen in {ort}", None),
            ("Patenschaftsprojekt {ort}", None),
            ("Begegnungscafé {ort}", None),
            ("Projekt Arbeitsmarktintegration {ort}", None),
            ("Interkultureller Garten {ort}", None),
            ("Kompetenzzentrum Anerkennung {ort}", None),
        ),
        "Projekt",
        ("integration", "bildung", "ehrenamt", "jugend", "arbeitsmarkt"),
    ),
    K.initiative: KindProfile(
        8,
        (
            ("Initiative Willkommen in {ort}", None),
            ("Bürgerinitiative Asyl {ort}", None),
            ("Flüchtlingsinitiative {ort}", None),
            ("Nachbarschaftshilfe {ort}", None),
            ("Initiative Weltoffenes {ort}", None),
        ),
        "Ehrenamtliche Initiative",
        ("ehrenamt", "integration", "asyl", "antirassismus"),
    ),
    K.authority: KindProfile(
        5,
        (
            ("Ausländerbehörde {ort}", None),
            ("Jobcenter {ort}", None),
            ("Agentur für Arbeit {ort}", None),
            ("Sozialamt {ort}", None),
            ("Landesdirektion Sachsen, Dienststelle {ort}", "LDS {ort}"),
        ),
        "Behörde",
        ("asyl", "unterbringung", "arbeitsmarkt", "integration"),
        (None, "Körperschaft des öffentlichen Rechts"),
    ),
    K.office: KindProfile(
        4,
        (
            ("Integrationsbeauftragte {ort}", None),
            ("Ausländerbeauftragter {ort}", None),
            ("Büro für Integration und Migration {ort}", "BIM {ort}"),
            ("Koordinierungsstelle Integration {ort}", None),
            ("Ehrenamtsbüro {ort}", None),
        ),
        "Stelle",
        ("integration", "beratung", "ehrenamt", "vernetzung"),
    ),
    K.department: KindProfile(
        3,
        (
            ("Sachgebiet Asyl und Integration {ort}", None),
            ("Referat Migration {ort}", None),
            ("Amt für Migration und Integration {ort}", None),
        ),
        "Fachbereich",
        ("asyl", "integration", "unterbringung"),
    ),
    K.company: KindProfile(
        3,
        (
            ("Bildungswerk {ort}", None),
            ("Sprachschule {ort}", None),
            ("Wohnungsgesellschaft {ort}", "WG {ort}"),
            ("Beschäftigungsgesellschaft {ort}", None),
            ("{traeger} Soziale Dienste {ort}", None),
        ),
        "Unternehmen",
        ("arbeitsmarkt", "bildung", "unterbringung"),
        ("GmbH", "gGmbH"),
    ),
    K.programme: KindProfile(
        2,
        (
            ("Förderprogramm Integration {ort}", None),
            ("Partnerschaft für Demokratie {ort}", "PfD {ort}"),
            ("Lokales Handlungsprogramm {ort}", None),
        ),
        "Förderprogramm",
        ("integration", "demokratie", "arbeitsmarkt"),
    ),
    K.campaign: KindProfile(
        2,
        (
            ("Kampagne „{ort} ist bunt“", None),
            ("Aktionswochen gegen Rassismus {ort}", None),
            ("Interkulturelle Woche {ort}", "IKW {ort}"),
        ),
        "Kampagne",
        ("antirassismus", "demokratie"),
    ),
    K.university: KindProfile(
        1,
        (
            ("Hochschule {ort}", None),
            ("Zentrum für Migrationsforschung {ort}", None),
            ("Studienkolleg {ort}", None),
        ),
        "Bildungs- und Forschungseinrichtung",
        ("bildung", "anerkennung"),
        ("Körperschaft des öffentlichen Rechts",),
    ),
    K.parliament: KindProfile(
        2,
        (("Kreistag {ort}", None), ("Stadtrat {ort}", None)),
        "Kommunales Parlament",
        ("integration", "demokratie"),
    ),
    K.network: KindProfile(
        8,
        (
            ("Netzwerk Integration {ort}", None),
            ("Netzwerk Migration {ort}", None),
            ("Bündnis für Toleranz und Weltoffenheit {ort}", None),
            ("Netzwerk Asyl, Migration, Flucht {ort}", "NAMF {ort}"),
            ("Integrationsnetzwerk {ort}", None),
            ("Netzwerk Arbeitsmarktintegration {ort}", None),
        ),
        "Netzwerk",
        ("vernetzung", "integration", "arbeitsmarkt"),
    ),
    K.round_table: KindProfile(
        5,
        (
            ("Runder Tisch Asyl {ort}", "RT Asyl {ort}"),
            ("Runder Tisch Integration {ort}", None),
            ("Runder Tisch Migration {ort}", None),
        ),
        "Runder Tisch",
        ("vernetzung", "asyl", "integration"),
    ),
    K.working_group: KindProfile(
        4,
        (
            ("Arbeitskreis Migration {ort}", "AK Migration {ort}"),
            ("AG Flüchtlingshilfe {ort}", None),
            ("Arbeitsgruppe Unterbringung {ort}", None),
            ("Facharbeitskreis Integration {ort}", None),
        ),
        "Arbeitskreis",
        ("vernetzung", "unterbringung", "integration"),
    ),
    K.committee: KindProfile(
        3,
        (
            ("Beirat für Migration und Integration {ort}", None),
            ("Integrationsbeirat {ort}", None),
            ("Ausschuss für Soziales und Integration {ort}", None),
        ),
        "Gremium",
        ("vernetzung", "integration", "demokratie"),
    ),
}

# Who relates to whom: per subject kind, (weight, relation type, object kinds).
LEADERS = ("association", "office", "counselling_service")
FUNDERS = ("authority", "programme", "department")
CARRIERS = ("association", "company", "university")
SERVICES = ("project", "counselling_service", "campaign", "initiative")
NETWORKS = tuple(sorted(NETWORK_KINDS))
MEMBERS = tuple(k for k in PROFILES if k not in NETWORK_KINDS)
R = RelationType
RelationRule = tuple[int, str, tuple[str, ...]]
_SERVICE_RULES: tuple[RelationRule, ...] = (
    (5, R.member_of, NETWORKS),
    (3, R.sponsored_by, CARRIERS),
    (2, R.funded_by, FUNDERS),
    (1, R.part_of, ("programme", "project")),
    (2, R.cooperates_with, MEMBERS),
)
_CARRIER_RULES: tuple[RelationRule, ...] = (
    (5, R.member_of, NETWORKS),
    (3, R.runs, SERVICES),
    (2, R.partner_of, CARRIERS + SERVICES),
    (1, R.funded_by, FUNDERS),
    (2, R.cooperates_with, MEMBERS),
)
_PUBLIC_RULES: tuple[RelationRule, ...] = (
    (4, R.member_of, NETWORKS),
    (2, R.part_of, ("authority", "parliament")),
    (2, R.cooperates_with, MEMBERS),
)
_NETWORK_RULES: tuple[RelationRule, ...] = (
    (4, R.coordinated_by, LEADERS),
    (1, R.convened_by, ("authority", "office", "parliament")),
    (2, R.funded_by, FUNDERS),
    (2, R.partner_of, NETWORKS),
    (1, R.part_of, NETWORKS),
)
RELATION_RULES: dict[str, tuple[RelationRule, ...]] = {
    **{kind: _SERVICE_RULES for kind in SERVICES},
    **{kind: _CARRIER_RULES for kind in CARRIERS},
    **{kind: _PUBLIC_RULES for kind in ("authority", "office", "department", "parliament")},
    "programme": (
        (3, R.funded_by, ("authority", "department")),
        (2, R.partner_of, CARRIERS),
        (1, R.member_of, NETWORKS),
    ),
    **{kind: _NETWORK_RULES for kind in NETWORKS},
}
# How many relations an organisation starts (the mean is about two).
RELATION_COUNTS = ((0, 10), (1, 25), (2, 35), (3, 20), (4, 10))

MEMBER_ROLES = ("Mitglied", "Gründungsmitglied", "Sprecherin", "beratendes Mitglied")
FIRST_NAMES = (
    "Anna", "Katrin", "Sabine", "Jana", "Ulrike", "Petra", "Fatima", "Amira", "Olena",
    "Mehmet", "Ahmad", "Thomas", "Michael", "Andreas", "Jörg", "Jürgen", "Uwe", "Sven",
    "Björn", "Hannah", "Lea", "Jonas", "Lukas", "Süleyman", "Özlem", "Małgorzata", "Dörte",
)  # fmt: skip
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Krause", "Richter", "Wolf", "Schröder", "Neumann", "Schwarz",
    "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Köhler", "Günther",
    "Lehmann", "Weiß", "Böhme", "Kühn", "Vogel", "Franke", "Winkler", "Jäger", "Nowak",
    "Yılmaz", "Demir", "Haddad", "Nguyen", "Popescu", "Schäfer", "Große",
)  # fmt: skip
PERSON_ROLES = (
    "Koordinatorin", "Koordinator", "Beraterin", "Berater", "Geschäftsführerin",
    "Geschäftsführer", "Projektleiterin", "Projektleiter", "Ansprechpartnerin",
    "Sozialarbeiterin", "Vorsitzende", "Vorsitzender",
)  # fmt: skip
STREETS = (
    "Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Lindenstraße",
    "Marktplatz", "Kirchstraße", "Dresdner Straße", "Leipziger Straße", "Bautzener Straße",
    "August-Bebel-Straße", "Straße der Einheit", "Obermarkt", "Weberstraße", "Gartenstraße",
    "Große Brüdergasse", "Äußere Weberstraße", "Schloßstraße",
)  # fmt: skip
MAILBOXES = ("info", "kontakt", "beratung", "post", "buero", "team")
PHONE_LABELS = (None, "Telefon", "Beratungstelefon", "Sekretariat")


# --- Generation ----------------------------------------------------------------------------


class SyntheticError(Exception):
    """The database cannot take a synthetic directory; nothing was written."""


@dataclass
class Summary:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def describe(self) -> str:
        counts = ", ".join(f"{count} {table}" for table, count in self.rows.items())
        return f"wrote {counts} in {self.seconds:.1f} s"


@dataclass(frozen=True)
class Home:
    """Where an organisation works: the region links and the place its name mentions."""

    district: District
    level: Level | None
    place: str
    town: str  # for its postal address
    area_id: int
    seat_id: int | None


def table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def generate(url: str, organisations: int, seed: int = 42, append: bool = False) -> Summary:
    """Write `organisations` synthetic organisations and all that belongs to them into `url`."""
    engine = make_engine(url)
    try:
        return _generate(engine, organisations, seed, append)
    finally:
        engine.dispose()


def _generate(engine: Engine, organisations: int, seed: int, append: bool) -> Summary:
    started = time.perf_counter()
    names = set(inspect(engine).get_table_names())
    missing = {"alembic_version", *SQLModel.metadata.tables} - names
    if missing:
        raise SyntheticError(
            f"the database at {engine.url.render_as_string()} is not migrated "
            f"(missing: {', '.join(sorted(missing))}); run `alembic upgrade head` first"
        )
    with engine.begin() as connection:
        revision = begin_write(connection, GENERATED_AT)
        existing = connection.execute(
            select(func.count()).select_from(table("organisation"))
        ).scalar_one()
        if existing and not append:
            raise SyntheticError(
                f"the database already holds {existing} organisations; "
                "pass --append to add synthetic ones to them"
            )
        writer = _Writer(
            connection, random.Random(seed), revision, random.Random(f"{seed}/concepts")
        )
        writer.write(organisations)
        writer.finish()
        end_write(connection)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    return Summary(rows=writer.rows, seconds=time.perf_counter() - started)


class _Writer:
    def __init__(
        self,
        connection: Connection,
        rng: random.Random,
        revision: int,
        concept_rng: random.Random,
    ) -> None:
        self.connection = connection
        self.rng = rng
        # Concepts come from a generator of their own, so the rest of the directory is
        # what it was before organisations carried them.
        self.concept_rng = concept_rng
        self.revision = revision
        self.rows: dict[str, int] = defaultdict(int)
        self.next_id = {
            name: (connection.execute(select(func.max(table(name).c.id))).scalar() or 0) + 1
            for name in ("organisation", "contact", "organisation_relation", "region")
        }
        self.source_id = self._source()
        self.regions = self._regions()
        self.slugs: set[str] = set(
            connection.execute(select(table("organisation").c.slug)).scalars()
        )
        self.slug_numbers: dict[str, int] = defaultdict(lambda: 1)
        self.towns = towns_by_district()
        self.former: dict[str, list[int]] = defaultdict(list)
        for name, successor in FORMER_DISTRICTS:
            self.former[successor].append(self.regions[slugify(name)])
        self.district_weights = list(accumulate(d.population for d in DISTRICTS))
        # Bigger towns come first and get more organisations.
        longest = max(len(t) for t in self.towns.values())
        self.town_weights = list(accumulate(1 / rank for rank in range(1, longest + 1)))

    # Source and regions

    def _source(self) -> int:
        sources = table("source_document")
        found = self.connection.execute(
            select(sources.c.id).where(sources.c.slug == SOURCE_SLUG)
        ).scalar()
        if found is not None:
            return int(found)
        self.connection.execute(
            insert(sources),
            {
                "slug": SOURCE_SLUG,
                "title": "Synthetisches Verzeichnis",
                "subtitle": "Erfundene Organisationen für Last- und Leistungstests",
                "published_on": date(2026, 1, 1),
                "authors": [],
                "publisher": "Wegweiser Sachsen",
                "file_name": "bench/synthetic.py",
                "version": 1,
                "created_at": GENERATED_AT,
                "updated_at": GENERATED_AT,
            },
        )
        self.rows["source_document"] += 1
        return int(
            self.connection.execute(
                select(sources.c.id).where(sources.c.slug == SOURCE_SLUG)
            ).scalar_one()
        )

    def _regions(self) -> dict[str, int]:
        """Ids of the planned regions by code (or slug, for those without); missing ones added."""
        regions = table("region")
        by_code: dict[str, int] = {}
        by_slug: dict[str, int] = {}
        for id_, code, slug in self.connection.execute(
            select(regions.c.id, regions.c.code, regions.c.slug)
        ):
            if code:
                by_code[code] = id_
            by_slug[slug] = id_
        new_rows = []
        ids: dict[str, int] = {}
        for region in planned_regions():
            key = region.code or region.slug
            found = by_code.get(region.code or "") or by_slug.get(region.slug)
            if found is None:
                found = self._take_id("region")
                new_rows.append(
                    {
                        "id": found,
                        "code": region.code,
                        "slug": region.slug,
                        "name": region.name,
                        **region_writes.derived_fields(region.name),
                        "kind": region.kind.value,
                        "parent_id": ids[region.parent_code] if region.parent_code else None,
                        "note": region.note,
                        **self._tracked(EPOCH),
                    }
                )
                by_slug[region.slug] = found
            ids[key] = found
        self._insert("region", new_rows)
        self._created(Resource.region, [(r["id"], r["slug"], r["created_at"]) for r in new_rows])
        return ids

    # Organisations

    def write(self, count: int) -> None:
        homes = [self._home() for _ in range(count)]
        kinds = self.rng.choices(
            [str(kind) for kind in PROFILES], weights=[p.weight for p in PROFILES.values()], k=count
        )
        first_id = self.next_id["organisation"]
        self.next_id["organisation"] += count
        for start in range(0, count, BATCH_SIZE):
            batch = range(start, min(start + BATCH_SIZE, count))
            self._organisations(
                [(first_id + i, kinds[i], homes[i]) for i in batch],
            )
        self._relations(first_id, kinds, homes)

    def _home(self) -> Home:
        rng = self.rng
        district = rng.choices(DISTRICTS, cum_weights=self.district_weights)[0]
        if district.kind is RegionKind.urban_district:
            town, town_id = district.name, self.regions[district.code]
        else:
            towns = self.towns[district.code]
            planned = rng.choices(towns, cum_weights=self.town_weights[: len(towns)])[0]
            town, town_id = planned.name, self.regions[planned.code or planned.slug]
        level = rng.choices(
            (Level.land, Level.supra_regional, Level.regional, None), weights=(8, 22, 65, 5)
        )[0]
        district_id = self.regions[district.code]
        seat = town_id if town_id != district_id and rng.random() < 0.6 else None
        if level is Level.land:
            return Home(district, level, "Sachsen", town, self.regions[STATE_CODE], seat)
        if level is Level.supra_regional or district.kind is RegionKind.urban_district:
            return Home(district, level, district.name, town, district_id, seat)
        area = town_id
        if rng.random() < 0.05 and self.former[district.code]:
            area = rng.choice(self.former[district.code])
        return Home(district, level, town, town, area, None)

    def _organisations(self, batch: Sequence[tuple[int, str, Home]]) -> None:
        organisations: list[dict[str, Any]] = []
        topics: list[dict[str, Any]] = []
        tags: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        contacts: list[dict[str, Any]] = []
        for id_, kind, home in batch:
            chosen_concepts = self._concepts()
            row, chosen_topics = self._organisation(id_, kind, home, chosen_concepts)
            organisations.append(row)
            tags += (
                {
                    "organisation_id": id_,
                    "scheme": scheme,
                    "concept": concept,
                    "basis": "stated",
                    "evidence": "synthetisch",
                }
                for scheme, concept in chosen_concepts
            )
            topics += (
                {"organisation_id": id_, "topic": key, "label": label}
                for key, label in organisation_writes.topic_rows(chosen_topics).items()
            )
            links.append(
                {"organisation_id": id_, "region_id": home.area_id, "role": RegionRole.area.value}
            )
            if home.seat_id is not None:
                links.append(
                    {
                        "organisation_id": id_,
                        "region_id": home.seat_id,
                        "role": RegionRole.seat.value,
                    }
                )
            contacts += self._contacts(id_, row["slug"], home, row["created_at"])
        self._insert("organisation", organisations)
        self._insert("organisation_topic", topics)
        self._insert("organisation_concept", tags)
        self._insert("organisation_region", links)
        self._insert("contact", contacts)
        self._created(
            Resource.organisation, [(o["id"], o["slug"], o["created_at"]) for o in organisations]
        )
        self._created(
            Resource.contact, [(c["id"], str(c["id"]), c["created_at"]) for c in contacts]
        )

    def _concepts(self) -> list[tuple[str, str]]:
        """Up to three offers and two target groups of the vocabularies; often none."""
        rng = self.concept_rng
        chosen = []
        for scheme, most in (("offers", 3), ("target-groups", 2)):
            ids = list(catalogue().schemes[scheme].concepts)
            chosen += [(scheme, c) for c in rng.sample(ids, k=rng.choice((0, *range(most + 1))))]
        return chosen

    def _organisation(
        self, id_: int, kind: str, home: Home, chosen_concepts: Sequence[tuple[str, str]] = ()
    ) -> tuple[dict[str, Any], list[str]]:
        rng = self.rng
        profile = PROFILES[kind]
        template, short_template = rng.choice(profile.names)
        sponsor = rng.choice(SPONSORS)
        name = template.format(ort=home.place, traeger=sponsor)
        legal_form = rng.choice(profile.legal_forms)
        if legal_form is not None and kind in ("association", "company"):
            name = f"{name} {legal_form}"
        short_name = short_template.format(ort=home.place) if short_template else None
        topics = list(
            dict.fromkeys(
                rng.sample(profile.topics, k=min(len(profile.topics), rng.randint(1, 2)))
                + rng.sample(TOPICS, k=rng.choice((0, 0, 1, 2)))
            )
        )
        tasks = list(dict.fromkeys(rng.choice(TASKS[t]) for t in topics))
        target_groups = rng.sample(TARGET_GROUPS, k=rng.randint(1, 3))
        description = (
            self._description(profile, home, tasks, topics, target_groups)
            if rng.random() < 0.9
            else None
        )
        created_at = EPOCH + timedelta(seconds=rng.randrange(800 * 86_400))
        updated_at = created_at + timedelta(
            seconds=rng.randrange(int((GENERATED_AT - created_at).total_seconds()))
        )
        row = {
            "id": id_,
            "slug": self._slug(name),
            "name": name,
            "short_name": short_name,
            "kind": kind,
            "legal_form": legal_form,
            "level": home.level.value if home.level else None,
            "description": description,
            "tasks": tasks,
            "target_groups": target_groups,
            **organisation_writes.derived_fields(
                name,
                short_name,
                [name],
                description,
                tasks,
                topics,
                target_groups,
                concepts.labels_of(chosen_concepts),
            ),
            "names_in_source": [name],
            "corrections": [],
            "source_id": self.source_id,
            "source_slide": None,
            "source_section": SECTION,
            "version": 1,
            "valid_as_of": VALID_AS_OF,
            "created_at": created_at,
            "updated_at": updated_at,
        }
        return row, topics

    def _description(
        self,
        profile: KindProfile,
        home: Home,
        tasks: Sequence[str],
        topics: Sequence[str],
        target_groups: Sequence[str],
    ) -> str:
        rng = self.rng
        if home.level is Level.land:
            where = "ganz Sachsen"
        elif home.place.endswith("kreis") or home.place.startswith("Landkreis"):
            where = f"den {home.place}"
        else:
            where = home.place
        sentences = [
            f"{profile.noun} für {where} mit Sitz in {home.town}.",
            f"Angebote: {', '.join(tasks)}.",
            f"Wir unterstützen {_listing(target_groups)} bei Fragen zu "
            f"{_listing([TOPIC_WORDS[t] for t in topics])}.",
        ]
        extras = (
            "Die Beratung ist kostenlos, vertraulich und auf Wunsch mit Sprachmittlung in "
            f"{_listing(rng.sample(LANGUAGES, k=2))}.",
            f"Gegründet {rng.randint(1990, 2024)}; getragen von "
            f"{rng.randint(3, 80)} Ehrenamtlichen und {rng.randint(1, 12)} Hauptamtlichen.",
            "Gefördert im Rahmen der Richtlinie Integrative Maßnahmen des Freistaates Sachsen.",
            "Offene Sprechstunde dienstags und donnerstags, Termine nach Vereinbarung.",
            "Wir arbeiten eng mit Ausländerbehörde, Jobcenter und Schulen zusammen.",
        )
        sentences += rng.sample(extras, k=rng.randint(0, 2))
        return " ".join(sentences)

    def _slug(self, name: str) -> str:
        base = slugify(name)[:100].rstrip("-")
        slug = base
        while slug in self.slugs:
            self.slug_numbers[base] += 1
            slug = f"{base}-{self.slug_numbers[base]}"
        self.slugs.add(slug)
        return slug

    # Contacts

    def _contacts(
        self, organisation_id: int, slug: str, home: Home, created_at: datetime
    ) -> Iterator[dict[str, Any]]:
        rng = self.rng
        domain = f"{_domain_name(slug, home.place)}.de"
        district = home.district
        candidates: list[tuple[ContactKind, str, str | None, str | None]] = []
        if rng.random() < 0.75:
            candidates.append((ContactKind.email, f"{rng.choice(MAILBOXES)}@{domain}", None, None))
        if rng.random() < 0.6:
            candidates.append((ContactKind.website, f"https://www.{domain}", None, None))
        if rng.random() < 0.45:
            number = f"{district.phone_prefix} {rng.randint(20000, 999999)}"
            candidates.append((ContactKind.phone, number, rng.choice(PHONE_LABELS), None))
        if rng.random() < 0.25:
            person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            candidates.append((ContactKind.person, person, None, rng.choice(PERSON_ROLES)))
        if rng.random() < 0.1:
            postcode = f"{district.postcode_prefix}{rng.randint(0, 99):02d}"
            address = f"{rng.choice(STREETS)} {rng.randint(1, 120)}, {postcode} {home.town}"
            candidates.append((ContactKind.address, address, None, None))
        for kind, typed, label, role in candidates:
            value = contact_writes.normalised_value(kind, typed)  # stored as every write stores it
            yield {
                "id": self._take_id("contact"),
                "organisation_id": organisation_id,
                "kind": kind.value,
                "value": value,
                "label": label,
                "role": role,
                "region_id": home.seat_id if kind is ContactKind.address else None,
                **contact_writes.derived_fields(value, label, role),
                "corrections": [],
                "source_id": self.source_id,
                "source_slide": None,
                "source_section": SECTION,
                **self._tracked(created_at),
            }

    # Relations

    def _relations(self, first_id: int, kinds: Sequence[str], homes: Sequence[Home]) -> None:
        rng = self.rng
        anywhere: dict[str, list[int]] = defaultdict(list)
        nearby: dict[tuple[str, str], list[int]] = defaultdict(list)
        for offset, (kind, home) in enumerate(zip(kinds, homes, strict=True)):
            anywhere[kind].append(first_id + offset)
            nearby[(kind, home.district.code)].append(first_id + offset)
        counts, count_weights = zip(*RELATION_COUNTS, strict=True)
        seen: set[tuple[int, int, str]] = set()
        rows: list[dict[str, Any]] = []
        for offset, (kind, home) in enumerate(zip(kinds, homes, strict=True)):
            subject = first_id + offset
            rules = RELATION_RULES[kind]
            for _ in range(rng.choices(counts, weights=count_weights)[0]):
                _, type_, object_kinds = rng.choices(rules, weights=[r[0] for r in rules])[0]
                object_kind = rng.choice(object_kinds)
                pool = nearby[(object_kind, home.district.code)]
                if not pool or rng.random() < 0.2:
                    pool = anywhere[object_kind]
                if not pool:
                    continue
                obj = rng.choice(pool)
                if obj == subject or (subject, obj, type_) in seen:
                    continue
                seen.add((subject, obj, type_))
                created_at = GENERATED_AT - timedelta(seconds=rng.randrange(400 * 86_400))
                rows.append(
                    {
                        "id": self._take_id("organisation_relation"),
                        "subject_id": subject,
                        "object_id": obj,
                        "type": str(type_),
                        "role": rng.choice(MEMBER_ROLES) if type_ == R.member_of else None,
                        "note": None,
                        "source_id": self.source_id,
                        "source_slide": None,
                        "source_section": SECTION,
                        **self._tracked(created_at),
                    }
                )
                if len(rows) >= BATCH_SIZE:
                    self._insert_relations(rows)
                    rows = []
        self._insert_relations(rows)

    def _insert_relations(self, rows: list[dict[str, Any]]) -> None:
        self._insert("organisation_relation", rows)
        self._created(Resource.relation, [(r["id"], str(r["id"]), r["created_at"]) for r in rows])

    # Writing

    def _take_id(self, name: str) -> int:
        id_ = self.next_id[name]
        self.next_id[name] += 1
        return id_

    @staticmethod
    def _tracked(moment: datetime) -> dict[str, Any]:
        return {
            "version": 1,
            "created_at": moment,
            "updated_at": moment,
            "valid_as_of": VALID_AS_OF,
        }

    def _created(self, resource: Resource, records: list[tuple[int, str, datetime]]) -> None:
        """Enter new records in the change log; bulk creates record no field values."""
        self._insert(
            "change",
            [
                change_row(self.revision, AUTHOR, resource, id_, key, Action.created, 1, moment, {})
                for id_, key, moment in records
            ],
        )

    def _insert(self, name: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.connection.execute(insert(table(name)), rows)
            self.rows[name] += len(rows)

    def finish(self) -> None:
        """Let the database plan with the new row counts; move PostgreSQL's id sequences on."""
        if self.connection.dialect.name == "postgresql":
            for name in self.next_id:
                self.connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
        else:
            self.connection.execute(text("ANALYZE"))


def _domain_name(slug: str, place: str) -> str:
    """`mbe-goerlitz` for `migrationsberatung-fuer-erwachsene-goerlitz`: short, like real ones."""
    if len(slug) <= 30:
        return slug
    place_slug = slugify(place)
    words = slug.removesuffix(place_slug).split("-") if place_slug in slug else slug.split("-")
    initials = "".join(w[0] for w in words if w and not w.isdigit())
    return f"{initials}-{place_slug}"[:60].rstrip("-")


def _listing(items: Sequence[str]) -> str:
    """`a, b und c`."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} und {items[-1]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.synthetic",
        description="Write a synthetic directory into a migrated database (for benchmarks).",
    )
    parser.add_argument("--organisations", type=int, required=True, help="how many to write")
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: WEGWEISER_DATABASE_URL or the configured database)",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument(
        "--append", action="store_true", help="add to a database that already holds data"
    )
    args = parser.parse_args(argv)
    if args.organisations < 1:
        parser.error("--organisations must be at least 1")
    url = args.database_url or get_settings().database_url
    try:
        summary = generate(url, args.organisations, args.seed, args.append)
    except SyntheticError as exc:
        print(f"bench.synthetic: nothing written: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"bench.synthetic: nothing written, the database refused: {exc}", file=sys.stderr)
        return 1
    print(f"bench.synthetic: {summary.describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
