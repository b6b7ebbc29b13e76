"""Every table, imported in one place for Alembic, the seed loader and the tests."""

from app.changes.models import Change
from app.contacts.models import Contact
from app.keys.models import ApiKey
from app.organisations.models import (
    Organisation,
    OrganisationConcept,
    OrganisationRegion,
    OrganisationTopic,
    Relation,
)
from app.regions.models import Region
from app.revision import DirectoryRevision
from app.sources.models import SourceDocument

__all__ = [
    "ApiKey",
    "Change",
    "Contact",
    "DirectoryRevision",
    "Organisation",
    "OrganisationConcept",
    "OrganisationRegion",
    "OrganisationTopic",
    "Region",
    "Relation",
    "SourceDocument",
]
