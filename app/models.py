"""Every table, imported in one place for Alembic, the seed loader and the tests."""

from app.contacts.models import Contact
from app.organisations.models import Organisation, OrganisationRegion, OrganisationTopic, Relation
from app.regions.models import Region
from app.revision import DirectoryRevision
from app.sources.models import SourceDocument

__all__ = [
    "Contact",
    "DirectoryRevision",
    "Organisation",
    "OrganisationRegion",
    "OrganisationTopic",
    "Region",
    "Relation",
    "SourceDocument",
]
