"""Policy instruments of the knowledge base: the pages, the form, the CSV and XLSX import (every
bad row reported, nothing imported in part), the export that imports back unchanged, search,
and who may do what."""

from __future__ import annotations

import csv
import io
from datetime import date
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from orienta.audit.models import AuditEvent
from orienta.core.errors import ConflictError, ServiceError
from orienta.knowledge import policies, policy_columns, policy_io
from orienta.knowledge.models import Entity, PolicyInstrument, SearchEntry, Theme
from orienta.knowledge.search import search

pytestmark = pytest.mark.django_db

KAMPALA = "kampala-declaration-2022"


def as_csv(table: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(table)
    return out.getvalue().encode(encoding)


def as_xlsx(table: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.worksheets[0]
    for cells in table:
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def full_data(**changes: object) -> dict[str, object]:
    """Every column of a policy, as the form gives them."""
    data: dict[str, object] = {
        "key": "",
        "title_en": "Regional roadmap on climate mobility",
        "title_fr": "Feuille de route régionale sur la mobilité climatique",
        "title_ar": "خارطة طريق إقليمية",
        "issuer": "LAS",
        "level": "regional",
        "type": "action_plan",
        "year": "2024",
        "themes": ["climate_mobility", "data"],
        "mobility": ["migration", "displacement"],
        "hazard": ["slow_onset"],
        "gcm_objectives": "2; 23",
        "status": "in_force",
        "languages": "ar; en; fr",
        "url": "https://example.org/roadmap",
        "summary_en": "A roadmap.\nSecond line, with a comma.",
        "summary_fr": "Une feuille de route.",
        "confidence": "secondary",
        "source_reference": "Communiqué of the ministerial meeting",
        "source_url": "https://example.org/source",
        "source_accessed": "2025-01-31",
    }
    data.update(changes)
    return data


# --- The import: every bad row reported, nothing written in part ------------------------------


BAD_FILE = [
    ["Key", "Title_EN", "title_fr", "issuer", "level", "TYPE", "year", "themes", "url", "Remarks"],
    [
        "good-one",
        "A good policy",
        "Une bonne politique",
        "MAR",
        "national",
        "law",
        "2020",
        "",
        "",
        "",
    ],
    ["", "Unknown type", "", "LAS", "regional", "treaty", "2020", "", "", ""],
    ["", "Bad year", "", "LAS", "regional", "law", "1850", "", "", ""],
    [
        "",
        "Unknown theme",
        "",
        "LAS",
        "regional",
        "law",
        "2020",
        "climate_mobility; nonsense",
        "",
        "",
    ],
    ["", "Bad issuer", "", "Atlantis", "regional", "law", "2020", "", "", ""],
    ["", "Bad address", "", "LAS", "regional", "law", "2020", "", "not an address", ""],
    ["", "", "Sans titre anglais", "LAS", "regional", "law", "2020", "", "", ""],
    ["good-one", "Same key again", "", "LAS", "regional", "law", "2020", "", "", ""],
    [KAMPALA, "Kampala, changed", "", "IGAD-RCP", "regional", "declaration", "2022", "", "", ""],
]
BAD_CELLS = {
    (1, "Remarks"),  # an unknown column
    (3, "TYPE"),
    (4, "year"),
    (5, "themes"),
    (6, "issuer"),
    (7, "url"),
    (8, "Title_EN"),
    (9, "Key"),
}


def test_a_policy_import_with_bad_rows_reports_each_with_its_reason_and_imports_nothing(
    mena, policy_officer
):
    count, kampala = PolicyInstrument.objects.count(), PolicyInstrument.objects.get(key=KAMPALA)
    result = policy_io.import_policies(
        acting_user=policy_officer, name="policies.csv", data=as_csv(BAD_FILE)
    )
    assert not result.imported
    assert {(p.row, p.column) for p in result.problems} == BAD_CELLS
    reasons = {p.row: p.message for p in result.problems}
    assert "treaty" in reasons[3] and "1850" in reasons[4] and "nonsense" in reasons[5]
    assert "Atlantis" in reasons[6] and "not an address" in reasons[7]
    assert "anglais" in reasons[8] and "ligne 2" in reasons[9]  # French, the default
    assert "Remarks" not in reasons[1] and "title_en" in reasons[1]
    # All or nothing: neither the good new row nor the good update was written.
    assert PolicyInstrument.objects.count() == count
    assert not PolicyInstrument.objects.filter(key="good-one").exists()
    assert PolicyInstrument.objects.get(key=KAMPALA).title_en == kampala.title_en
    assert not AuditEvent.objects.filter(action="knowledge.policy.imported").exists()


def test_the_import_page_shows_every_problem_and_imports_nothing(mena, policy_officer, client_for):
    count = PolicyInstrument.objects.count()
    upload = io.BytesIO(as_csv(BAD_FILE))
    upload.name = "policies.csv"
    response = client_for(policy_officer).post(reverse("knowledge:policy_import"), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported" in page or "Rien n" in page
    for row, column in BAD_CELLS:
        assert f"<td>{row}</td><td>{column}</td>" in page
    assert PolicyInstrument.objects.count() == count


def test_the_french_interface_gives_the_reasons_in_a_readable_form(mena, policy_officer):
    # Messages are formatted at the time of the import, in the language of the request.
    from django.utils import translation

    with translation.override("fr"):
        result = policy_io.import_policies(
            acting_user=policy_officer, name="p.csv", data=as_csv(BAD_FILE[:3])
        )
    assert [(p.row, p.column) for p in result.problems] == [(1, "Remarks"), (3, "TYPE")]


def test_an_unreadable_or_empty_file_is_one_problem(mena, policy_officer):
    broken = policy_io.import_policies(acting_user=policy_officer, name="p.xlsx", data=b"not a zip")
    header_only = policy_io.import_policies(
        acting_user=policy_officer, name="p.csv", data=b"key,title_en\n"
    )
    for result in (broken, header_only):
        assert not result.imported and len(result.problems) == 1
        assert result.problems[0].row == 0


def test_a_clean_import_creates_and_updates_by_key(mena, policy_officer, client_for):
    count = PolicyInstrument.objects.count()
    table = [
        ["key", "title_en", "issuer", "level", "type", "year", "themes", "mobility", "hazard"],
        ["new-strategy", "New strategy", "mar", "national", "Strategy", "2023", "data", "", ""],
        ["", "Without a key", "IGAD-RCP", "regional", "NDC / NAP", "", "", "displacement", ""],
        [KAMPALA, "Kampala, revised", "IGAD-RCP", "regional", "declaration", "2022",
         "climate_mobility;data", "migration", "slow_onset;sudden_onset"],
    ]  # fmt: skip
    upload = io.BytesIO(as_csv(table))
    upload.name = "policies.csv"
    response = client_for(policy_officer).post(reverse("knowledge:policy_import"), {"file": upload})
    assert response.status_code == 302 and response["Location"] == reverse("knowledge:policies")
    assert PolicyInstrument.objects.count() == count + 2
    created = PolicyInstrument.objects.get(key="new-strategy")
    assert (created.issuer, created.issuer_country, created.type) == (None, "MAR", "strategy")
    assert [t.code for t in created.themes.all()] == ["data"]
    generated = PolicyInstrument.objects.get(key="without-a-key")
    assert generated.type == "ndc_nap" and generated.issuer.key == "IGAD-RCP"
    assert generated.year is None and generated.mobility == ["displacement"]
    kampala = PolicyInstrument.objects.get(key=KAMPALA)
    assert kampala.title_en == "Kampala, revised"
    assert kampala.hazard == ["slow_onset", "sudden_onset"]
    assert {t.code for t in kampala.themes.all()} == {"climate_mobility", "data"}
    # Columns the file leaves out keep the policy's values.
    assert kampala.gcm_objectives == [2, 23] and kampala.title_fr.startswith("Déclaration")
    event = AuditEvent.objects.get(action="knowledge.policy.imported")
    assert (event.changes["created"], event.changes["updated"]) == (2, 1)


def test_a_latin1_csv_with_semicolons_is_read(mena, policy_officer):
    table = [
        ["key", "TITLE EN", "Title-FR", "level", "type", "themes", "gcm_objectives"],
        ["strategie-nat", "National strategy", "Stratégie nationale de migration", "national",
         "strategy", "data;climate_mobility", "2;23"],
    ]  # fmt: skip
    data = as_csv(table, delimiter=";", encoding="latin-1")
    result = policy_io.import_policies(acting_user=policy_officer, name="p.csv", data=data)
    assert result.imported and result.created == 1
    policy = PolicyInstrument.objects.get(key="strategie-nat")
    assert policy.title_fr == "Stratégie nationale de migration"
    assert policy.gcm_objectives == [2, 23] and policy.themes.count() == 2


def test_an_xlsx_file_is_read_with_numbers_and_dates_in_cells(mena, policy_officer):
    table: list[list[object]] = [
        ["key", "title_en", "title_ar", "level", "type", "year", "source_accessed"],
        ["xlsx-law", "A law", "قانون", "national", "law", 2019, date(2024, 5, 6)],
    ]
    result = policy_io.import_policies(
        acting_user=policy_officer, name="p.xlsx", data=as_xlsx(table)
    )
    assert result.imported, result.problems
    policy = PolicyInstrument.objects.get(key="xlsx-law")
    assert (policy.year, policy.source_accessed.isoformat()) == (2019, "2024-05-06")
    assert policy.title_ar == "قانون"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(fmt, mena, policy_officer):
    PolicyInstrument.objects.all().delete()
    policies.save_policy(acting_user=policy_officer, data=full_data())
    policies.save_policy(
        acting_user=policy_officer,
        data=full_data(
            title_en="=HYPERLINK(1) - formula-like title",
            title_fr="",
            title_ar="",
            issuer="MAR",
            themes=[],
            mobility=[],
            hazard=[],
            gcm_objectives="",
            languages="",
            year="",
            url="",
            summary_en='+ plus; semicolons, commas "quotes"',
            source_accessed="",
        ),
    )
    exported = policy_io.export_policies(PolicyInstrument.objects.all(), fmt)
    result = policy_io.import_policies(acting_user=policy_officer, name=f"p.{fmt}", data=exported)
    assert result.imported, result.problems
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    again = policy_io.export_policies(PolicyInstrument.objects.all(), fmt)
    assert _content(again, fmt) == _content(exported, fmt)


def _content(data: bytes, fmt: str) -> list[list[object]]:
    """An export's cells (an XLSX file also carries the moment it was saved)."""
    if fmt == "csv":
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_pack_round_trips_unchanged(mena, policy_officer):
    exported = policy_io.export_policies(PolicyInstrument.objects.all(), "csv")
    result = policy_io.import_policies(acting_user=policy_officer, name="p.csv", data=exported)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 6), result.problems


def test_the_export_has_the_import_columns_and_no_formulas(mena, policy_officer):
    assert list(policy_columns.CHECKS) == list(policy_io.COLUMNS)
    policies.save_policy(acting_user=policy_officer, data=full_data(title_en="=1+1"))
    text = policy_io.export_policies(PolicyInstrument.objects.all(), "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(policy_io.COLUMNS)
    assert len(rows) == 1 + PolicyInstrument.objects.count()
    assert "'=1+1" in text
    book = load_workbook(
        io.BytesIO(policy_io.export_policies(PolicyInstrument.objects.all(), "xlsx"))
    )
    cells = [cell.value for row in book.worksheets[0].iter_rows() for cell in row]
    assert "=1+1" in cells
    formulas = [c for row in book.worksheets[0].iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_search_finds_an_imported_policy_by_its_french_title(mena, policy_officer, client_for):
    table = [
        ["title_en", "title_fr", "level", "type"],
        ["Coastal resettlement plan", "Plan de réinstallation côtière", "national", "action_plan"],
    ]
    result = policy_io.import_policies(acting_user=policy_officer, name="p.csv", data=as_csv(table))
    assert result.imported
    key = PolicyInstrument.objects.get(title_en="Coastal resettlement plan").key
    assert key in [hit.key for hit in search("reinstallation cotiere") if hit.kind == "policy"]
    page = client_for(policy_officer).get(reverse("knowledge:policies"), {"q": "réinstallation"})
    assert (
        "Coastal resettlement plan" in page.content.decode() or "côtière" in page.content.decode()
    )
    assert reverse("knowledge:policy", args=[key]) in page.content.decode()
    assert KAMPALA not in page.content.decode()


def test_import_problems_name_the_row_of_the_file_blank_rows_counted(mena, policy_officer):
    data = b"title_en,level,type\n\nA plan,national,treaty\n"
    result = policy_io.import_policies(acting_user=policy_officer, name="p.csv", data=data)
    assert [(p.row, p.column) for p in result.problems] == [(3, "type")]


def test_an_import_makes_a_new_version_of_each_policy_it_changes_and_indexes_them_at_once(
    mena, policy_officer
):
    roadmap = policies.save_policy(acting_user=policy_officer, data=full_data())
    table = [
        ["key", "title_en", "level", "type"],
        [KAMPALA, "Kampala, revised", "regional", "declaration"],
        [roadmap.key, roadmap.title_en, roadmap.level, roadmap.type],
        ["", "A new plan", "national", "action_plan"],
    ]
    with mock.patch("orienta.knowledge.search.index", wraps=policy_io.search.index) as index:
        result = policy_io.import_policies(
            acting_user=policy_officer, name="p.csv", data=as_csv(table)
        )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    versions = dict(PolicyInstrument.objects.values_list("key", "version"))
    assert (versions[KAMPALA], versions[roadmap.key], versions["a-new-plan"]) == (2, 1, 1)
    index.assert_called_once()
    assert {p.key for p in index.call_args.kwargs["policies"]} == {KAMPALA, "a-new-plan"}
    assert "a-new-plan" in [hit.key for hit in search("new plan")]


def test_an_import_racing_another_for_the_same_key_is_refused_not_a_500(
    mena, policy_officer, client_for
):
    count = PolicyInstrument.objects.count()
    table = [["key", "title_en", "level", "type"], ["raced", "Raced plan", "national", "law"]]
    write = policy_io.write_policy

    def racing(policy: PolicyInstrument, values: dict[str, object]) -> dict[str, object]:
        # Another import commits the same key between this one's check and its insert.
        theirs = PolicyInstrument(key=values["key"], title_en="Theirs", level="national")
        PolicyInstrument.objects.bulk_create([theirs])
        return write(policy, values)

    with mock.patch.object(policy_io, "write_policy", side_effect=racing):
        with pytest.raises(ConflictError) as refused:
            policy_io.import_policies(acting_user=policy_officer, name="p.csv", data=as_csv(table))
        assert refused.value.code == "conflict"
        upload = io.BytesIO(as_csv(table))
        upload.name = "p.csv"
        client = client_for(policy_officer)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.post(reverse("knowledge:policy_import"), {"file": upload})
    assert response.status_code == 200
    assert (
        "Someone else imported or created one of these policies at the same time. "
        "Import the file again."
    ) in response.content.decode()
    assert PolicyInstrument.objects.count() == count
    assert not AuditEvent.objects.filter(action="knowledge.policy.imported").exists()


# --- The form ---------------------------------------------------------------------------------


def form_post(data: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in data.items() if value not in ("", [])}


def test_the_form_creates_and_edits_a_policy_and_audits_it(mena, policy_officer, client_for):
    client = client_for(policy_officer)
    assert client.get(reverse("knowledge:policy_new")).status_code == 200
    response = client.post(reverse("knowledge:policy_new"), form_post(full_data()))
    policy = PolicyInstrument.objects.get(title_en="Regional roadmap on climate mobility")
    assert policy.key == "regional-roadmap-on-climate-mobility"
    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:policy", args=[policy.key])
    assert policy.issuer == Entity.objects.get(key="LAS") and policy.issuer_country == ""
    assert policy.gcm_objectives == [2, 23] and policy.languages == ["ar", "en", "fr"]
    assert policy.source_accessed.isoformat() == "2025-01-31"
    assert AuditEvent.objects.filter(
        action="knowledge.policy.created", object_id=str(policy.pk)
    ).exists()
    edit = reverse("knowledge:policy_edit", args=[policy.key])
    page = client.get(edit).content.decode()
    assert 'value="2; 23"' in page and 'value="LAS"' in page
    assert 'name="version" value="1"' in page
    changed = full_data(key=policy.key, title_fr="Nouvelle feuille de route", themes=["data"])
    assert client.post(edit, form_post(changed) | {"version": 1}).status_code == 302
    policy.refresh_from_db()
    assert policy.title_fr == "Nouvelle feuille de route" and policy.version == 2
    assert [t.code for t in policy.themes.all()] == ["data"]
    event = AuditEvent.objects.get(action="knowledge.policy.changed")
    assert set(event.changes) == {"title_fr", "themes"}
    assert event.changes["themes"] == [["climate_mobility", "data"], ["data"]]


def test_a_stale_policy_edit_gives_a_conflict_message_and_changes_nothing(
    mena, policy_officer, client_for
):
    policy = policies.save_policy(acting_user=policy_officer, data=full_data())
    client = client_for(policy_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    edit = reverse("knowledge:policy_edit", args=[policy.key])
    first = full_data(key=policy.key, title_fr="Première modification")
    assert client.post(edit, form_post(first) | {"version": 1}).status_code == 302
    second = full_data(key=policy.key, title_fr="Seconde modification")
    response = client.post(edit, form_post(second) | {"version": 1})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone changed this record in the meantime. Reload the page and try again." in page
    # The page keeps the version it was made from: posting it again does not overwrite.
    assert 'name="version" value="1"' in page
    policy.refresh_from_db()
    assert (policy.title_fr, policy.version) == ("Première modification", 2)
    assert AuditEvent.objects.filter(action="knowledge.policy.changed").count() == 1
    missing = client.post(edit, form_post(second))
    assert missing.status_code == 200
    assert "Reload the page and try again." in missing.content.decode()
    with pytest.raises(ConflictError):
        policies.save_policy(
            acting_user=policy_officer, policy=policy, data=second, expected_version=1
        )
    assert PolicyInstrument.objects.get(pk=policy.pk).title_fr == "Première modification"


def test_policy_changes_write_only_their_own_search_entries(mena, policy_officer):
    # The whole index is rebuilt by a pack load only; a change writes the entries it touched.
    with mock.patch("orienta.knowledge.search.reindex", side_effect=AssertionError("rebuilt")):
        policy = policies.save_policy(acting_user=policy_officer, data=full_data())
        policies.save_policy(
            acting_user=policy_officer,
            policy=policy,
            data=full_data(key="roadmap-2024", title_fr="Feuille de route renommée"),
            expected_version=1,
        )
        kampala = PolicyInstrument.objects.get(key=KAMPALA)
        policies.delete_policy(acting_user=policy_officer, policy=kampala)
    assert "roadmap-2024" in [hit.key for hit in search("feuille de route renommee")]
    gone = SearchEntry.objects.filter(kind="policy", key__in=[policy.key, KAMPALA])
    assert not gone.exists()
    assert SearchEntry.objects.filter(kind="policy").count() == PolicyInstrument.objects.count()


def test_the_form_shows_every_refusal_on_its_field(mena, policy_officer, client_for):
    client = client_for(policy_officer)
    count = PolicyInstrument.objects.count()
    bad = full_data(year="1800", issuer="Atlantis", url="nowhere", key=KAMPALA)
    response = client.post(reverse("knowledge:policy_new"), form_post(bad))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("year", "issuer", "url", "key"):
        assert f'id="id_{name}_error"' in page
    assert PolicyInstrument.objects.count() == count


def test_the_service_refuses_what_the_form_cannot_catch(mena, policy_officer, analyst):

    with pytest.raises(ServiceError) as refused:
        policies.save_policy(acting_user=policy_officer, data=full_data(key="new"))
    assert refused.value.details["field"] == "key"
    with pytest.raises(ServiceError) as refused:
        policies.save_policy(
            acting_user=policy_officer, data=full_data(title_en="", mobility=["teleportation"])
        )
    assert [p["field"] for p in refused.value.details["problems"]] == ["title_en", "mobility"]
    with pytest.raises(PermissionDenied):
        policies.save_policy(acting_user=analyst, data=full_data())
    with pytest.raises(PermissionDenied):
        policies.delete_policy(
            acting_user=analyst, policy=PolicyInstrument.objects.get(key=KAMPALA)
        )
    with pytest.raises(PermissionDenied):
        policy_io.import_policies(acting_user=analyst, name="p.csv", data=b"title_en\nx\n")


def test_a_generated_key_is_unique(mena, policy_officer):
    first = policies.save_policy(acting_user=policy_officer, data=full_data())
    second = policies.save_policy(acting_user=policy_officer, data=full_data())
    assert second.key == f"{first.key}-2"


def test_deleting_a_policy_is_audited_and_leaves_search(mena, policy_officer, client_for):
    client = client_for(policy_officer)
    url = reverse("knowledge:policy_delete", args=[KAMPALA])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("knowledge:policies")
    assert not PolicyInstrument.objects.filter(key=KAMPALA).exists()
    assert AuditEvent.objects.filter(action="knowledge.policy.deleted").count() == 1
    assert KAMPALA not in [hit.key for hit in search("Kampala")]


# --- The pages --------------------------------------------------------------------------------


def test_a_policy_shows_every_field_with_its_source_and_arabic_right_to_left(
    mena, policy_officer, client_for
):
    policy = policies.save_policy(acting_user=policy_officer, data=full_data())
    page = client_for(policy_officer).get(reverse("knowledge:policy", args=[policy.key]))
    text = page.content.decode()
    assert 'lang="ar" dir="rtl">خارطة طريق إقليمية' in text
    assert "badge text-bg-warning" in text and "Communiqué of the ministerial meeting" in text
    assert (
        'href="https://example.org/source"' in text and 'href="https://example.org/roadmap"' in text
    )
    assert reverse("knowledge:entity", args=["LAS"]) in text
    assert "2, 23" in text and "ar, en, fr" in text
    assert reverse("knowledge:policy_edit", args=[policy.key]) in text
    missing = client_for(policy_officer).get(reverse("knowledge:policy", args=["nothing"]))
    assert missing.status_code == 404


def test_the_entity_page_links_its_policies(mena, policy_officer, client_for):
    page = client_for(policy_officer).get(reverse("knowledge:entity", args=["IGAD-RCP"]))
    assert reverse("knowledge:policy", args=[KAMPALA]) in page.content.decode()


def test_the_list_filters(mena, policy_officer, client_for):
    policies.save_policy(acting_user=policy_officer, data=full_data())
    client = client_for(policy_officer)
    url = reverse("knowledge:policies")

    def keys(**query: str) -> set[str]:
        response = client.get(url, {**query, "format": "csv"})
        text = response.content.decode("utf-8-sig")
        return {row["key"] for row in csv.DictReader(io.StringIO(text))}

    everything = set(PolicyInstrument.objects.values_list("key", flat=True))
    roadmap = "regional-roadmap-on-climate-mobility"
    assert keys() == everything
    assert keys(type="action_plan") == {roadmap}
    assert keys(hazard="slow_onset") == {roadmap}
    assert keys(mobility="displacement") == set(
        PolicyInstrument.objects.filter(
            key__in=[roadmap, "oic-ashgabat-declaration-refugees-2012"]
        ).values_list("key", flat=True)
    )
    assert keys(theme="climate_mobility") >= {roadmap, KAMPALA}
    assert KAMPALA in keys(issuer="IGAD-RCP") and roadmap not in keys(issuer="IGAD-RCP")
    assert keys(year_from="2020", year_to="2022") == {KAMPALA}
    assert keys(level="interregional", type="law") == set()


def test_bad_filters_are_ignored(mena, policy_officer, client_for):
    response = client_for(policy_officer).get(
        reverse("knowledge:policies"),
        {
            "year_from": "abc",
            "year_to": "99999999999999999999",
            "theme": "nope",
            "type": "x",
            "mobility": '"<script>',
            "issuer": "%",
            "page": "zz",
            "q": '"*( -^',
            "format": "pdf",
        },
    )
    assert response.status_code == 200


def test_the_list_page_costs_the_same_queries_for_many_policies(
    mena, policy_officer, client_for, django_assert_max_num_queries
):
    themes = list(Theme.objects.all()[:3])
    for number in range(30):
        policy = PolicyInstrument.objects.create(
            key=f"policy-{number}", title_en=f"Policy {number}", level="national", type="law"
        )
        policy.themes.set(themes)
    client = client_for(policy_officer)
    client.get(reverse("knowledge:policies"))  # the session is read once
    # Session, user, roles, themes and entities for the filters, count, page, themes: 8.
    with django_assert_max_num_queries(9):
        page = client.get(reverse("knowledge:policies"))
    assert page.status_code == 200 and "Policy 29" in page.content.decode()


def test_the_list_links_editing_only_for_editors(mena, policy_officer, analyst, client_for):
    url = reverse("knowledge:policies")
    editor_page = client_for(policy_officer).get(url).content.decode()
    reader_page = client_for(analyst).get(url).content.decode()
    for name in ("knowledge:policy_new", "knowledge:policy_import"):
        assert reverse(name) in editor_page and reverse(name) not in reader_page
    assert "format=csv" in reader_page and "format=xlsx" in reader_page


# --- Who may do what --------------------------------------------------------------------------


def every_url() -> list[tuple[str, str]]:
    return [
        ("get", reverse("knowledge:policies")),
        ("get", reverse("knowledge:policies") + "?format=csv"),
        ("get", reverse("knowledge:policies") + "?format=xlsx"),
        ("get", reverse("knowledge:policy", args=[KAMPALA])),
        ("get", reverse("knowledge:policy_new")),
        ("get", reverse("knowledge:policy_edit", args=[KAMPALA])),
        ("post", reverse("knowledge:policy_edit", args=[KAMPALA])),
        ("post", reverse("knowledge:policy_delete", args=[KAMPALA])),
        ("get", reverse("knowledge:policy_import")),
        ("post", reverse("knowledge:policy_import")),
    ]


def test_outsiders_get_403_and_anonymous_users_the_login_page(mena, outsider, client_for):
    for method, url in every_url():
        assert getattr(client_for(outsider), method)(url).status_code == 403, url
        response = getattr(Client(), method)(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    assert PolicyInstrument.objects.filter(key=KAMPALA).exists()


def test_analysts_read_and_export_but_do_not_edit(mena, analyst, client_for):
    client = client_for(analyst)
    for method, url in every_url():
        reading = "edit" not in url and "new" not in url and "delete" not in url
        reading = reading and "import" not in url
        assert getattr(client, method)(url).status_code == (200 if reading else 403), url
    xlsx = client.get(reverse("knowledge:policies"), {"format": "xlsx"})
    assert xlsx["Content-Type"] == policy_io.EXPORT_TYPES["xlsx"]
    assert 'filename="policies.xlsx"' in xlsx["Content-Disposition"]
    assert PolicyInstrument.objects.filter(key=KAMPALA).exists()


def test_a_verified_policy_names_its_source_and_was_not_consulted_in_the_future(
    mena, policy_officer
):
    with pytest.raises(ServiceError) as refused:
        policies.save_policy(
            acting_user=policy_officer,
            data=full_data(confidence="verified", source_reference="", source_url=""),
        )
    assert refused.value.details["field"] == "source_reference"
    with pytest.raises(ServiceError) as refused:
        policies.save_policy(
            acting_user=policy_officer, data=full_data(source_accessed="2999-01-01")
        )
    assert refused.value.details["field"] == "source_accessed"
    saved = policies.save_policy(acting_user=policy_officer, data=full_data(confidence="verified"))
    assert saved.confidence == "verified"


# --- Digits that are not decimal ----------------------------------------------------------------

# "²" is a digit to str.isdigit() but not a number int() reads: each is refused, never a 500.
SUPERSCRIPT_YEAR = "19²0"


def test_a_year_with_a_superscript_digit_is_refused_in_the_form_and_the_import(
    mena, policy_officer, client_for
):
    client = client_for(policy_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    count = PolicyInstrument.objects.count()
    response = client.post(
        reverse("knowledge:policy_new"), form_post(full_data(year=SUPERSCRIPT_YEAR))
    )
    assert response.status_code == 200 and "is not a year from 1900" in response.content.decode()
    table = [["title_en", "level", "type", "year"], ["A law", "national", "law", SUPERSCRIPT_YEAR]]
    result = policy_io.import_policies(acting_user=policy_officer, name="p.csv", data=as_csv(table))
    assert [(p.row, p.column) for p in result.problems] == [(2, "year")]
    assert PolicyInstrument.objects.count() == count
    # Arabic-Indic digits are decimal: the year they write is read.
    table[1][3] = "٢٠٢٠"
    result = policy_io.import_policies(acting_user=policy_officer, name="p.csv", data=as_csv(table))
    assert result.imported and PolicyInstrument.objects.get(title_en="A law").year == 2020


def test_a_year_filter_with_a_superscript_digit_is_ignored(mena, policy_officer, client_for):
    client = client_for(policy_officer)
    for name in ("year_from", "year_to"):
        response = client.get(reverse("knowledge:policies"), {name: "202²"})
        assert response.status_code == 200


def test_an_import_of_thousands_of_new_policies_goes_through(mena, policy_officer):
    table = [["title_en", "level", "type"]] + [
        [f"Plan number {n}", "national", "action_plan"] for n in range(1200)
    ]
    result = policy_io.import_policies(acting_user=policy_officer, name="p.csv", data=as_csv(table))
    assert result.imported and result.created == 1200, result.problems
    assert len(search("plan number", kinds=("policy",), limit=2000)) == 1200
