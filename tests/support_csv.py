"""Building seller CSVs for tests: good products, to which a test applies one defect."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from catalog.domain.columns import FULL_COLUMNS

GOOD_BODY = (
    "<p>Cette perceuse visseuse sans fil est conçue pour les travaux de perçage et de vissage intensifs sur "
    "chantier comme en atelier. Livrée avec deux batteries lithium de 2 Ah et un chargeur rapide, elle offre une "
    "autonomie longue durée et une puissance constante du début à la fin de la charge.</p>"
    "<ul><li>Couple maximal : 50 Nm</li><li>Deux vitesses mécaniques (0–400 / 0–1500 tr/min)</li>"
    "<li>Mandrin auto-serrant de 13 mm</li><li>Poids : 1,3 kg avec la batterie</li></ul>"
    "<p>La poignée bi-matière limite les vibrations et la lampe intégrée éclaire la zone de travail. Elle est "
    "livrée dans un coffret rigide avec un embout double et une notice en français. Garantie deux ans.</p>"
)


# Two more real descriptions, distinct enough that products built on them are not near-duplicates.
SAW_BODY = (
    "<p>Cette scie sauteuse pendulaire de 650 W découpe le bois, le métal et les plastiques avec précision grâce "
    "à son mouvement pendulaire réglable sur quatre positions. Le socle en aluminium s'incline jusqu'à 45° pour "
    "les coupes d'onglet et le souffleur garde le tracé propre pendant tout le travail.</p>"
    "<ul><li>Profondeur de coupe bois : 85 mm</li><li>Cadence : 500 à 3000 courses par minute</li>"
    "<li>Changement de lame sans outil</li><li>Poids : 2,2 kg</li></ul>"
    "<p>Livrée en coffret avec trois lames pour le bois, le métal et les coupes fines, un adaptateur "
    "d'aspiration et un guide parallèle. Garantie deux ans pièces et main-d'œuvre.</p>"
)
SANDER_BODY = (
    "<p>Ponceuse excentrique de 300 W pour préparer les surfaces avant peinture ou vernis : meubles, portes, "
    "boiseries et plans de travail. Son double mouvement rotatif et orbital laisse un fini lisse sans rayures, "
    "et le plateau auto-agrippant de 125 mm accepte tous les abrasifs courants du commerce.</p>"
    "<ul><li>Vitesse variable : 4000 à 12000 tr/min</li><li>Course orbitale : 2,5 mm</li>"
    "<li>Aspiration intégrée avec bac à poussière</li><li>Poids : 1,4 kg</li></ul>"
    "<p>Fournie avec vingt disques abrasifs de grains 80 à 240, un raccord pour aspirateur d'atelier et une "
    "housse de rangement. Poignée souple pour travailler longtemps sans fatigue.</p>"
)


def good_product(handle: str = "perceuse-visseuse-18v", **cells: str) -> dict[str, str]:
    row = dict.fromkeys(FULL_COLUMNS, "")
    row.update({
        "Handle": handle,
        "Title": "Perceuse visseuse sans fil 18V avec deux batteries lithium",
        "Body (HTML)": GOOD_BODY,
        "Type": "Perceuses",
        "Tags": "Perceuses,outillage,18V,lithium",
        "Option1 Name": "Title",
        "Option1 Value": "Default Title",
        "Variant SKU": f"SKU-{handle}",
        "Variant Barcode": "3760123456784",
        "Variant Grams": "1300",
        "Variant Inventory Qty": "25",
        "Variant Inventory Policy": "deny",
        "Variant Minimum Quantity": "1",
        "Variant Price": "129.90",
        "Variant Compare At Price": "149.90",
        "Variant Requires Shipping": "TRUE",
        "Variant Taxable": "TRUE",
        "Image Src": f"https://images.atelier-dupont.example/produits/{handle}.jpg",
        "Image Alt Text": "Perceuse visseuse bleue posée sur son coffret",
        "Country of Origin": "FR",
        "SEO Title": "Perceuse visseuse sans fil 18V, deux batteries",
        "SEO Description": "Perceuse visseuse 18V livrée avec deux batteries lithium 2 Ah, chargeur rapide et "
                           "coffret rigide.",
    })
    row.update(cells)
    return row


def variant_row(handle: str, **cells: str) -> dict[str, str]:
    row = dict.fromkeys(FULL_COLUMNS, "")
    row.update({"Handle": handle, "Variant Inventory Qty": "5", "Variant Minimum Quantity": "1",
                "Variant Price": "19.90", "Variant SKU": f"SKU-{handle}-{cells.get('Option1 Value', 'x')}"})
    row.update(cells)
    return row


def tshirt(handle: str = "t-shirt-coton-bio") -> list[dict[str, str]]:
    """A product with two options and four variants, plus an image-only row."""
    first = good_product(
        handle, Title="T-shirt de travail en coton bio à col rond", Type="Hauts", Tags="Hauts,coton,travail",
        **{"Option1 Name": "Taille", "Option1 Value": "M", "Option2 Name": "Couleur", "Option2 Value": "Bleu",
           "Variant SKU": f"{handle}-m-bleu", "Variant Barcode": "", "Variant Price": "19.90",
           "Variant Compare At Price": "", "Body (HTML)": GOOD_BODY.replace("perceuse visseuse", "t-shirt")
           .replace("Cette", "Ce").replace("perçage et de vissage", "chantiers et ateliers")},
    )
    rows = [first]
    for size, colour in (("L", "Bleu"), ("M", "Gris"), ("L", "Gris")):
        rows.append(variant_row(handle, **{"Option1 Value": size, "Option2 Value": colour,
                                           "Variant SKU": f"{handle}-{size}-{colour}".lower()}))
    rows.append({**dict.fromkeys(FULL_COLUMNS, ""), "Handle": handle,
                 "Image Src": f"https://images.atelier-dupont.example/produits/{handle}-dos.jpg",
                 "Image Alt Text": "Vue de dos du t-shirt"})
    return rows


def csv_text(rows: list[dict[str, str]], header: tuple[str, ...] | list[str] = FULL_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text(csv_text(rows), encoding="utf-8")
    return path
