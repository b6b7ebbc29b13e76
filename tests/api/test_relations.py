"""Relations as records of their own: `/relations` and `/relations/{id}`."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.auth import auth_headers


def test_a_relation_reads_subject_type_object(client: TestClient) -> None:
    relations = client.get("/relations?organisation=bon-courage").json()["items"]
    assert [(r["subject"]["slug"], r["type"], r["object"]["slug"]) for r in relations] == [
        ("runder-tisch-migration-landkreis-leipzig", "coordinated_by", "bon-courage")
    ]
    (relation,) = relations
    assert relation["provenance"]["source"]["slug"] == "praxis-vor-ort-2015-04-16"
    detail = client.get(relation["url"])
    assert detail.json() == relation
    assert detail.headers["etag"] == f'"relation-{relation["id"]}-v{relation["version"]}-r2"'


def test_the_relations_of_a_deleted_organisation_are_listed_with_include_deleted(
    seeded_database: str, client_for: Callable[[str], TestClient]
) -> None:
    """A mirror removing a deleted organisation can still ask which relations went with it."""
    client = client_for(seeded_database)
    writer = auth_headers(seeded_database).writer
    tag = client.get("/organisations/bon-courage").headers["etag"]
    deleted = client.delete(
        "/organisations/bon-courage?cascade=relations", headers={**writer, "If-Match": tag}
    )
    assert deleted.status_code == 204
    assert client.get("/relations?organisation=bon-courage").status_code == 422
    listed = client.get("/relations?organisation=bon-courage&include_deleted=true").json()
    assert [r["deleted_at"] is not None for r in listed["items"]] == [True]
