from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.domain.errors import CatalogError
from catalog.domain.location import Location
from catalog.net import taxonomy_file as loader
from catalog.net.taxonomy_file import default_taxonomy, resolve_taxonomy_path
from catalog.settings import load_settings
from taxonomy import Taxonomy, TaxonomyError, check_type, load_taxonomy, search
from tests.conftest import SHARED_TAXONOMY_EN
from validators.product_type import type_issue

UNKNOWN, NOT_LEAF, TOO_DEEP = "taxonomy.type_unknown", "taxonomy.type_not_leaf", "taxonomy.type_too_deep"


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    from tests.conftest import SHARED_TAXONOMY

    return load_taxonomy(SHARED_TAXONOMY)


def _names_under(tax: Taxonomy, top: str) -> set[str]:
    return {node.name for node in tax.collections if node.path[0] == top}


# ---- The tree ---------------------------------------------------------------


def test_french_file_has_1387_unique_assignable_collections(tax: Taxonomy) -> None:
    assert len(tax.collections) == 1387
    names = [node.name for node in tax.collections]
    assert len(set(names)) == len(names) == len(tax.collection_by_name)
    assert all(node.level <= 3 for node in tax.collections)
    assert all(node.level == 3 or not node.children for node in tax.collections)
    assert tax.version == "2015-02-19"


def test_nodes_know_their_place(tax: Taxonomy) -> None:
    phones = tax.by_id["270"]
    assert (phones.name, phones.level, phones.full_path) == (
        "Téléphonie", 3, "Appareils électroniques > Communications > Téléphonie")
    assert phones.parent is tax.by_path[("Appareils électroniques", "Communications")]
    assert "Accessoires pour téléphones mobiles" in {child.name for child in phones.children}
    assert phones.is_assignable and not phones.parent.is_assignable
    cases = tax.by_id["2353"]
    assert cases.level == 5 and cases.assignable_ancestor is phones
    assert tax.by_path[("Appareils électroniques",)].assignable_ancestor is None
    assert all(node.level == 3 for node in phones.parent.assignable_descendants())


# ---- check_type: every verdict ----------------------------------------------


def test_exact_collection_name_is_ok(tax: Taxonomy) -> None:
    verdict = check_type(tax, "Téléphonie", title="Coque silicone pour iPhone 15")
    assert verdict.ok and verdict.code is None and verdict.suggestions == [] and verdict.safe_fix is None
    assert type_issue(verdict, value="Téléphonie", at=Location(2, "Type"), product="coque") is None


@pytest.mark.parametrize("value", ["telephonie", "Téléphonies", "TÉLÉPHONIE", " Téléphonie ", "téléphonie"])
def test_case_accent_space_plural_slip_suggests_the_exact_name_first(tax: Taxonomy, value: str) -> None:
    verdict = check_type(tax, value)
    assert verdict.code == UNKNOWN
    assert verdict.suggestions[0] == "Téléphonie"
    assert verdict.safe_fix == "Téléphonie"
    assert len(verdict.suggestions) <= 3


def test_singular_of_a_plural_collection_is_a_slip(tax: Taxonomy) -> None:
    verdict = check_type(tax, "perceuse", title="Perceuse visseuse sans fil 18V")
    assert (verdict.code, verdict.safe_fix, verdict.suggestions[0]) == (UNKNOWN, "Perceuses", "Perceuses")


@pytest.mark.parametrize(("value", "level"), [("Communications", 2), ("Appareils électroniques", 1)])
def test_broad_collection_is_not_leaf_and_suggests_fitting_children(tax: Taxonomy, value: str, level: int) -> None:
    verdict = check_type(tax, value, title="Coque silicone pour iPhone 15", description="Protège votre téléphone.")
    assert (verdict.code, verdict.level, verdict.safe_fix) == (NOT_LEAF, level, None)
    assert verdict.suggestions[0] == "Téléphonie"
    below = {node.name for node in tax.lookup_name(value)[0].assignable_descendants()}
    assert 1 <= len(verdict.suggestions) <= 3 and set(verdict.suggestions) <= below


def test_not_leaf_without_a_title_still_offers_sub_collections(tax: Taxonomy) -> None:
    verdict = check_type(tax, "Communications")
    assert verdict.code == NOT_LEAF and len(verdict.suggestions) == 3


@pytest.mark.parametrize(("value", "level"), [
    ("Housses pour téléphones mobiles", 5),
    ("Accessoires pour téléphones mobiles", 4),
    ("housses pour telephones mobiles", 5),
])
def test_deep_category_is_too_deep_and_fixed_to_its_collection(tax: Taxonomy, value: str, level: int) -> None:
    verdict = check_type(tax, value)
    assert (verdict.code, verdict.level, verdict.ancestor) == (TOO_DEEP, level, "Téléphonie")
    assert verdict.safe_fix == "Téléphonie" and verdict.suggestions == ["Téléphonie"]


def test_ambiguous_deep_name_is_settled_by_the_product_and_never_auto_fixed(tmp_path: Path) -> None:
    source = tmp_path / "ops.txt"
    source.write_text(
        "# Google_Product_Taxonomy_Version: test\n"
        "1 - Maison\n2 - Maison > Cuisine\n3 - Maison > Cuisine > Ustensiles\n"
        "4 - Maison > Cuisine > Ustensiles > Accessoires\n"
        "5 - Sport > Vélo > Pièces de vélo\n6 - Sport > Vélo > Pièces de vélo > Accessoires\n",
        encoding="utf-8")
    tax = load_taxonomy(source)
    bike = check_type(tax, "Accessoires", title="Sonnette pour vélo de ville")
    assert (bike.code, bike.ancestor, bike.safe_fix, bike.level) == (TOO_DEEP, "Pièces de vélo", None, 4)
    assert set(bike.suggestions) == {"Pièces de vélo", "Ustensiles"}
    kitchen = check_type(tax, "Accessoires", title="Ustensiles de cuisine en bois")
    assert kitchen.ancestor == "Ustensiles" and kitchen.safe_fix is None


def test_free_text_phone_case_suggests_telephony(tax: Taxonomy) -> None:
    verdict = check_type(tax, "coque iphone", title="Coque silicone pour iPhone 15")
    assert verdict.code == UNKNOWN and verdict.safe_fix is None
    assert "Téléphonie" in verdict.suggestions


def test_free_text_drill_suggests_the_drill_collection(tax: Taxonomy) -> None:
    verdict = check_type(tax, "Outillage électroportatif", title="Perceuse visseuse sans fil 18V",
                         description="<p>La perceuse sans fil est conçue pour le perçage et le vissage.</p>")
    assert verdict.code == UNKNOWN and verdict.safe_fix is None
    assert "Perceuses" in verdict.suggestions
    assert tax.collection_by_name["Perceuses"].full_path == "Quincaillerie > Outils > Perceuses"


def test_free_text_t_shirt_suggests_clothing(tax: Taxonomy) -> None:
    verdict = check_type(tax, "T-shirt", title="T-shirt homme à col rond")
    assert verdict.code == UNKNOWN
    assert tax.collection_by_name[verdict.suggestions[0]].path[0] == "Vêtements et accessoires"


def test_free_text_suggestions_are_few_distinct_assignable_names(tax: Taxonomy) -> None:
    for value, title in [("meuble jardin", "Table de jardin 8 places"), ("bricolage maison", ""),
                         ("", "Lampe de bureau LED"), ("rouge bordeaux", "Vin rouge de Bordeaux"), ("qwxzzv", "")]:
        verdict = check_type(tax, value, title=title)
        assert verdict.code == UNKNOWN and verdict.safe_fix is None
        assert len(verdict.suggestions) <= 3 and len(set(verdict.suggestions)) == len(verdict.suggestions)
        assert all(name in tax.collection_by_name for name in verdict.suggestions)
    assert check_type(tax, "qwxzzv").suggestions == []
    assert "Tables d'extérieur" in check_type(tax, "meuble jardin", title="Table de jardin 8 places").suggestions


def test_a_full_path_as_type_is_fixed_to_its_name(tax: Taxonomy) -> None:
    for value in ["Appareils électroniques > Communications > Téléphonie",
                  "Appareils électroniques///Communications///Téléphonie///Accessoires pour téléphones mobiles"]:
        verdict = check_type(tax, value)
        assert verdict.safe_fix == "Téléphonie" and verdict.suggestions[0] == "Téléphonie"


def test_typo_in_a_collection_name_is_suggested_but_not_fixed(tax: Taxonomy) -> None:
    verdict = check_type(tax, "Téléphonei")
    assert verdict.code == UNKNOWN and verdict.safe_fix is None
    assert verdict.suggestions[0] == "Téléphonie"


# ---- The catalog issue ------------------------------------------------------


def test_type_issue_fills_each_template(tax: Taxonomy) -> None:
    unknown = type_issue(check_type(tax, "telephonie"), value="telephonie", at=Location(3, "Type"), product="coque")
    assert unknown is not None and unknown.code == UNKNOWN and unknown.row == 3 and unknown.product == "coque"
    assert "« telephonie »" in unknown.message.fr and "par exemple « Téléphonie »" in unknown.fix.fr
    assert 'for example "Téléphonie"' in unknown.fix.en and unknown.suggestions[0] == "Téléphonie"

    deep = type_issue(check_type(tax, "Housses pour téléphones mobiles"), value="Housses pour téléphones mobiles",
                      at=Location(4, "Type"), product="coque")
    assert deep is not None and deep.code == TOO_DEEP
    assert "niveau 5" in deep.message.fr and "« Téléphonie »" in deep.message.fr and "level-5" in deep.message.en

    broad = type_issue(check_type(tax, "Communications", title="Coque iPhone"), value="Communications",
                                  at=Location(5, "Type"), product="coque")
    assert broad is not None and broad.code == NOT_LEAF and "niveau 2" in broad.message.fr
    assert broad.fix.fr.endswith("« Téléphonie ».")

    nothing = type_issue(check_type(tax, "qwxzzv"), value="qwxzzv", at=Location(6, "Type"), product="x")
    assert nothing is not None and nothing.fix.fr.endswith("dans les Tags.") and nothing.suggestions == ()


# ---- search -----------------------------------------------------------------


def test_search_lists_fitting_collections_best_first(tax: Taxonomy) -> None:
    hits = search(tax, "perceuse", limit=5)
    assert hits[0].name == "Perceuses" and hits[0].path == "Quincaillerie > Outils > Perceuses"
    assert hits[0].score == 100.0
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert len(search(tax, "accessoires", limit=4)) == 4
    assert "Téléphonie" in [hit.name for hit in search(tax, "Coque silicone pour iPhone 15", limit=3)]
    assert search(tax, "qwxzzv") == []


# ---- Loading ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "name"), [
    ("id,path\n10,Maison > Cuisine > Ustensiles\n11,Maison > Cuisine > Ustensiles > Louches\n12,Sport\n", "a.csv"),
    ("id;path\n10;Maison///Cuisine///Ustensiles\n11;Maison///Cuisine///Ustensiles///Louches\n12;Sport\n", "b.csv"),
    ("Maison///Cuisine///Ustensiles\nMaison///Cuisine///Ustensiles///Louches\nSport\n", "c.csv"),
    ("10,Maison > Cuisine > Ustensiles\n11,Maison > Cuisine > Ustensiles > Louches\n12,Sport\n", "d.csv"),
])
def test_operator_csv_with_either_separator(tmp_path: Path, text: str, name: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    tax = load_taxonomy(path)
    assert [node.full_path for node in tax.collections] == ["Maison > Cuisine > Ustensiles", "Sport"]
    assert tax.by_path[("Maison",)].id is None  # created for its children
    assert check_type(tax, "Louches").ancestor == "Ustensiles"
    assert check_type(tax, "Maison").code == NOT_LEAF
    if "10" in text:
        assert tax.by_id["11"].name == "Louches"


def test_operator_csv_errors_are_clear(tmp_path: Path) -> None:
    twice = tmp_path / "twice.csv"
    twice.write_text("path\nA > B > Même\nC > D > Même\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="two collections"):
        load_taxonomy(twice)
    empty = tmp_path / "empty.csv"
    empty.write_text("path\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="no category"):
        load_taxonomy(empty)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("1 - Électronique\n".encode("latin-1"))
    with pytest.raises(TaxonomyError, match="not UTF-8"):
        load_taxonomy(latin)
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "missing.txt")


def test_google_file_without_ids(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.fr-FR.txt"
    path.write_text("# Google_Product_Taxonomy_Version: 2021-09-21\nMaison\nMaison > Cuisine\n", encoding="utf-8")
    tax = load_taxonomy(path)
    assert tax.version == "2021-09-21" and [node.name for node in tax.collections] == ["Cuisine"]


# ---- English names and Google product categories ------------------------------


def test_google_category_maps_to_its_collection_from_id_or_either_language(tax: Taxonomy) -> None:
    both = tax.with_english(SHARED_TAXONOMY_EN)
    assert both.has_english and not tax.has_english
    for value in ["2353", "Electronics > Communications > Telephony > Mobile Phone Accessories > Mobile Phone Cases",
                  "electronics > communications > telephony", "Appareils électroniques > Communications > Téléphonie",
                  "Housses pour téléphones mobiles"]:
        found = both.collection_for_category(value)
        assert found is not None and found.name == "Téléphonie", value
    assert both.collection_for_category("Electronics") is None
    assert both.collection_for_category("999999999") is None
    assert tax.collection_for_category("Electronics > Communications > Telephony") is None


def test_english_only_ids_map_to_their_nearest_french_ancestor(tax: Taxonomy) -> None:
    both = tax.with_english(SHARED_TAXONOMY_EN)
    assert "543684" not in both.by_id  # Non-prescription Cat Food: English only
    assert both.category("543684") is both.by_id["3367"]
    assert both.collection_for_category("543684").name == "Accessoires pour chats"
    # Hardware > Fuel > Kerosene > Clear Kerosene: only Hardware exists in French, and it is too broad.
    assert both.category("543579") is both.by_id["632"]
    assert both.collection_for_category("543579") is None


# ---- Finding the file ---------------------------------------------------------


def test_setting_wins_and_a_missing_setting_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "own.csv"
    own.write_text("path\nA > B > C\n", encoding="utf-8")
    monkeypatch.setenv("CATALOG_TAXONOMY", str(own))
    assert resolve_taxonomy_path(load_settings(None)) == own
    monkeypatch.setenv("CATALOG_TAXONOMY", str(tmp_path / "nope.txt"))
    with pytest.raises(CatalogError, match="CATALOG_TAXONOMY"):
        resolve_taxonomy_path(load_settings(None))


def test_without_setting_the_shared_file_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  taxonomy_path: Path) -> None:
    monkeypatch.delenv("CATALOG_TAXONOMY")
    monkeypatch.chdir(tmp_path)  # not found from here: found from the repository root
    assert resolve_taxonomy_path(load_settings(None)) == taxonomy_path.resolve()


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"body": b"", "hits": 0})
    httpd = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/taxonomy-with-ids.fr-FR.txt", handler
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No setting, and no shared folder next to the working directory or the repository."""
    monkeypatch.delenv("CATALOG_TAXONOMY")
    monkeypatch.setenv("CATALOG_ALLOW_PRIVATE_NETWORKS", "true")  # the test server is on loopback
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(loader, "_REPO_ROOT", tmp_path / "repo")
    return tmp_path


def test_download_into_the_cache_then_reuse_it(nowhere: Path, server: tuple[str, type[_Handler]]) -> None:
    url, handler = server
    handler.body = b"# Google_Product_Taxonomy_Version: 2021\n1 - Maison\n2 - Maison > Cuisine\n"
    settings = load_settings(None)
    path = resolve_taxonomy_path(settings, url=url)
    assert path == settings.cache_dir / "taxonomy-with-ids.fr-FR.txt" and path.read_bytes() == handler.body
    assert resolve_taxonomy_path(settings, url=url) == path and handler.hits == 1
    assert [node.name for node in load_taxonomy(path).collections] == ["Cuisine"]


@pytest.mark.parametrize(("body", "reason"), [(b"<html>captive portal</html>", "not a Google taxonomy"),
                                              (b"# Google_Product_Taxonomy_Version: x\n" + b"1 - A\n" * 40, "larger")])
def test_bad_download_is_refused(nowhere: Path, server: tuple[str, type[_Handler]], monkeypatch: pytest.MonkeyPatch,
                                 body: bytes, reason: str) -> None:
    url, handler = server
    handler.body = body
    monkeypatch.setattr(loader, "MAX_DOWNLOAD_BYTES", 200)
    settings = load_settings(None)
    with pytest.raises(CatalogError, match=reason):
        resolve_taxonomy_path(settings, url=url)
    assert not settings.cache_dir.exists() or not any(settings.cache_dir.iterdir())


def test_unreachable_download_says_how_to_set_the_file(nowhere: Path) -> None:
    with pytest.raises(CatalogError, match="set CATALOG_TAXONOMY") as caught:
        resolve_taxonomy_path(load_settings(None), url="http://127.0.0.1:9/taxonomy-with-ids.fr-FR.txt")
    assert "\n" not in str(caught.value)


def test_default_taxonomy_is_loaded_once_with_english(taxonomy_path: Path) -> None:
    first = default_taxonomy(load_settings(None))
    assert first is default_taxonomy(load_settings(None))
    assert first.source == taxonomy_path.resolve() and first.has_english
    assert first.collection_for_category("2353").name == "Téléphonie"


def test_download_goes_through_the_safe_fetcher(nowhere: Path, server: tuple[str, type[_Handler]],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    url, handler = server
    handler.body = b"# Google_Product_Taxonomy_Version: 2021\n1 - Maison\n"
    monkeypatch.delenv("CATALOG_ALLOW_PRIVATE_NETWORKS")
    with pytest.raises(CatalogError, match="set CATALOG_TAXONOMY"):
        resolve_taxonomy_path(load_settings(None), url=url)
    assert handler.hits == 0
