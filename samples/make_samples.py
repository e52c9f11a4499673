#!/usr/bin/env python3
"""Write the sample files of the full product CSV, always the same bytes.

    python samples/make_samples.py [--out DIR] [--image-base URL] [--images DIR]

Writes into DIR (default: this folder):
- template.csv: the header row alone;
- catalogue-valide.csv: 500 rows of a French B2B seller's catalog, every product good;
- catalogue-exemple.csv: 500 rows, mostly good products and the usual seller mistakes,
  each planted in its own product, listed in catalogue-exemple.expected.json;
- sellers.yaml: the sellers the samples belong to;
- flux-exemple.xml: a Google Merchant RSS feed of 30 good products (seller lumiere-bureau).
With --images DIR, also writes one small real picture per image URL of both files
(DIR/produits/<name>) so a demo can serve them.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import product as combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from images import make_demo_images  # noqa: E402

from catalog.domain.columns import FULL_COLUMNS, FULL_MAX_ROWS  # noqa: E402

DEFAULT_IMAGE_BASE = "https://images.atelier-dupont.example"
SEED_VALID = 2024_03_11
SEED_EXAMPLE = 2024_03_12
LINE_END = "\r\n"

# ---------------------------------------------------------------------------
# Text pools. Sentences end with a full stop and carry no contact details.
# ---------------------------------------------------------------------------

INTROS = (
    "{Le_nom} {brand} {model} est pensé{e} pour {usage}.",
    "Conçu{e} pour {usage}, {le_nom} {model} de {brand} accompagne {public} au quotidien.",
    "Avec {le_nom} {model}, {brand} propose une solution fiable pour {usage}.",
    "Pour {usage}, {le_nom} {brand} {model} offre un bon compromis entre robustesse, confort et prix.",
    "Référence {model} de la gamme {brand}, {le_nom} a été sélectionné{e} pour {public}.",
    "Nous avons retenu {le_nom} {model} de {brand} pour {usage} : un choix sûr pour {public}.",
    "{Le_nom} {model} fait partie des références {brand} les plus demandées par {public}.",
    "Fabriqué{e} avec soin, {le_nom} {brand} {model} répond aux besoins de {public} pour {usage}.",
)

CLOSINGS = (
    "Chaque commande est préparée dans notre entrepôt lyonnais et expédiée sous 48 heures ouvrées.",
    "Une facture avec TVA détaillée accompagne chaque livraison, pratique pour votre comptabilité.",
    "Des tarifs dégressifs s'appliquent aux commandes en volume passées sur la plateforme.",
    "Le produit est garanti contre tout défaut de fabrication pendant deux ans.",
    "Nous gardons un stock permanent de cette référence pour un réassort rapide de vos équipes.",
    "L'expédition se fait en carton renforcé, avec un suivi de colis inclus.",
    "Notre équipe technique a sélectionné cet article pour sa fiabilité en usage intensif.",
    "Le conditionnement professionnel facilite le stockage en atelier comme en magasin.",
    "Les professionnels bénéficient d'une livraison offerte dès le premier carton complet.",
    "Cette référence est suivie dans la durée : pièces et accessoires restent disponibles.",
)

POLICIES = (
    "Retour accepté sous 30 jours, produit non utilisé et dans son emballage d'origine.",
    "Échange de taille gratuit sous 15 jours, étiquettes attachées.",
    "Produit livré sur palette : vérifiez l'état du colis en présence du transporteur.",
    "Article d'hygiène : ni repris ni échangé une fois l'emballage ouvert.",
    "Garantie constructeur de deux ans, retour en atelier agréé.",
)


@dataclass(frozen=True)
class Family:
    usages: tuple[str, ...]
    publics: tuple[str, ...]
    benefits: tuple[str, ...]
    care: tuple[str, ...]
    views: tuple[str, ...]
    countries: tuple[str, ...]


FAMILIES: dict[str, Family] = {
    "outil": Family(
        usages=("le perçage et le vissage sur chantier", "les travaux de menuiserie et d'agencement",
                "la pose de cloisons et de plaques de plâtre", "les interventions de maintenance en atelier",
                "le montage de mobilier et de charpentes légères"),
        publics=("les artisans du bâtiment", "les menuisiers et agenceurs", "les équipes de maintenance",
                 "les électriciens et plombiers", "les entreprises de rénovation"),
        benefits=(
            "Le moteur sans charbons limite l'usure et prolonge nettement la durée de vie de l'appareil.",
            "La poignée bi-matière absorbe les vibrations et garde une bonne prise, même avec des gants.",
            "Un éclairage LED intégré illumine la zone de travail dans les recoins sombres.",
            "Le carter en aluminium dissipe la chaleur lors des longues séries de perçage.",
            "Le réglage fin du couple évite d'abîmer les vis et les matériaux tendres.",
            "Son faible encombrement permet de travailler entre deux montants ou sous un évier.",
            "Le coffret rigide protège l'outil et ses accessoires pendant le transport.",
            "L'indicateur de charge affiche l'autonomie restante d'un simple appui.",
            "Le frein moteur stoppe la rotation instantanément pour enchaîner les vissages.",
            "La ceinture de fixation métallique garde l'outil à portée de main sur l'échafaudage.",
        ),
        care=("Dépoussiérez les ouïes d'aération après chaque chantier et stockez les batteries au sec.",
              "Un simple chiffon sec suffit à l'entretien ; évitez les solvants sur le carter.",
              "Rechargez les batteries à température ambiante pour préserver leurs cellules."),
        views=("vue de profil", "vue de trois quarts", "détail de la poignée", "outil posé dans son coffret",
               "utilisé sur un chantier", "détail du mandrin"),
        countries=("DE", "CN", "TW", "FR", "PL", "CZ"),
    ),
    "vetement": Family(
        usages=("les journées en atelier", "les chantiers par tous les temps", "le travail en entrepôt",
                "les métiers de la logistique et du transport", "les équipes d'entretien des espaces verts"),
        publics=("les équipes techniques", "les artisans et leurs compagnons", "les techniciens de maintenance",
                 "les préparateurs de commandes", "les paysagistes"),
        benefits=(
            "Les coutures triple piqûre renforcent les zones les plus sollicitées.",
            "La coupe ajustée laisse une grande liberté de mouvement, bras levés comme accroupi.",
            "Le tissu respirant évacue la transpiration lors des efforts prolongés.",
            "Les bandes rétroréfléchissantes améliorent la visibilité en faible luminosité.",
            "Un emplacement dédié permet d'ajouter le logo de votre entreprise par broderie ou transfert.",
            "La couleur reste stable après de nombreux lavages industriels.",
            "Les poches sont placées pour garder téléphone, crayon et mètre à portée de main.",
            "Le col et les poignets côtelés gardent leur forme au fil des lavages.",
            "La matière déperlante fait glisser les projections d'eau et les salissures légères.",
        ),
        care=("Lavage en machine à 60 degrés, séchage en tambour à basse température possible.",
              "Lavez sur l'envers à 40 degrés et évitez l'eau de Javel pour garder l'éclat des coloris.",
              "Repassage doux sur l'envers, sans vapeur sur les bandes réfléchissantes."),
        views=("vue de face", "vue de dos", "porté en atelier", "détail des coutures", "détail de la poche",
               "tissu en gros plan"),
        countries=("PT", "TN", "MA", "FR", "BD", "TR"),
    ),
    "epi": Family(
        usages=("la protection des équipes sur chantier", "les travaux de manutention lourde",
                "les ateliers de mécanique et de métallerie", "les interventions en milieu industriel"),
        publics=("les responsables sécurité", "les chefs d'équipe", "les ouvriers du bâtiment",
                 "les magasiniers et caristes"),
        benefits=(
            "Le produit est certifié selon la norme européenne en vigueur pour son usage.",
            "Le confort de port a été testé sur des journées complètes de travail.",
            "Les matériaux résistent aux huiles, aux graisses et aux hydrocarbures courants.",
            "Le poids réduit limite la fatigue en fin de journée.",
            "La doublure intérieure absorbe l'humidité et sèche rapidement.",
            "La conception sans métal permet de passer les portiques de détection.",
            "Chaque pièce porte un marquage lisible de sa taille et de sa classe de protection.",
            "L'ajustement précis évite les points de pression et les frottements.",
        ),
        care=("Nettoyez à l'eau savonneuse tiède et laissez sécher loin d'une source de chaleur.",
              "Contrôlez l'état avant chaque utilisation et remplacez toute pièce endommagée.",
              "Stockez à l'abri des rayons du soleil pour préserver les matériaux."),
        views=("vue de face", "vue de côté", "détail de la semelle", "en situation de travail",
               "marquage de conformité"),
        countries=("IT", "VN", "PK", "FR", "DE", "CN"),
    ),
    "mobilier": Family(
        usages=("l'aménagement des bureaux partagés", "les postes de travail en open space",
                "l'équipement des salles de réunion", "le travail en télétravail à domicile"),
        publics=("les services généraux", "les petites entreprises", "les cabinets et agences",
                 "les espaces de coworking"),
        benefits=(
            "Le montage se fait en moins de vingt minutes grâce à la notice illustrée.",
            "Les réglages ergonomiques s'adaptent à chaque utilisateur en quelques secondes.",
            "Le piètement en acier peint par poudrage assure une grande stabilité.",
            "Les matériaux sont certifiés pour un usage professionnel intensif.",
            "Les finitions soignées s'intègrent dans les espaces d'accueil comme dans les bureaux.",
            "Les patins protègent les sols fragiles et absorbent les petits défauts du sol.",
            "Les panneaux sont issus de forêts gérées durablement.",
            "Le passe-câbles intégré garde le poste de travail net et rangé.",
        ),
        care=("Un chiffon humide et un produit doux suffisent à l'entretien courant.",
              "Resserrez la visserie après quelques semaines d'utilisation.",
              "Évitez l'exposition prolongée au soleil direct pour préserver les teintes."),
        views=("vue d'ensemble", "vue de côté", "détail du piètement", "installé dans un bureau",
               "détail des réglages"),
        countries=("PL", "IT", "FR", "DE", "ES", "CN"),
    ),
    "eclairage": Family(
        usages=("l'éclairage des ateliers et des réserves", "le remplacement des ampoules halogènes",
                "l'éclairage de chantier de nuit", "les postes de travail qui demandent une lumière précise"),
        publics=("les électriciens", "les gestionnaires de bâtiments", "les commerces et restaurants",
                 "les bureaux d'études"),
        benefits=(
            "La technologie LED divise par cinq la consommation par rapport à un modèle halogène.",
            "La lumière sans scintillement réduit la fatigue visuelle.",
            "L'indice de rendu des couleurs élevé restitue fidèlement les teintes.",
            "La durée de vie annoncée limite les interventions de remplacement.",
            "L'allumage est instantané, même par temps froid.",
            "Le boîtier étanche résiste à la poussière et aux projections d'eau.",
            "Le dissipateur en aluminium garde les composants à bonne température.",
            "L'orientation réglable permet de diriger le flux exactement où il le faut.",
        ),
        care=("Coupez l'alimentation avant toute intervention et dépoussiérez à sec.",
              "Ne pas recouvrir pendant le fonctionnement pour laisser la chaleur s'évacuer.",
              "Les produits usagés se déposent dans les points de collecte dédiés."),
        views=("vue de face", "allumé", "détail du culot", "vue de côté", "installé au plafond",
               "éclairage en situation"),
        countries=("CN", "DE", "IT", "FR", "NL"),
    ),
    "papeterie": Family(
        usages=("le quotidien des secrétariats", "l'équipement des bureaux et des accueils",
                "les écoles et centres de formation", "les services administratifs"),
        publics=("les assistants de direction", "les services achats", "les établissements scolaires",
                 "les professions libérales"),
        benefits=(
            "La qualité constante évite les bourrages et les mauvaises surprises.",
            "Le conditionnement en boîte facilite la distribution dans les services.",
            "Les matériaux recyclés réduisent l'empreinte de vos fournitures.",
            "La prise en main agréable convient aux utilisations prolongées.",
            "Le format standard s'adapte à tous les classeurs et rangements courants.",
            "Les couleurs franches facilitent le classement et le repérage.",
            "La robustesse du mécanisme a été éprouvée sur des milliers de cycles.",
        ),
        care=("Stockez à l'abri de l'humidité pour conserver toute la qualité du papier.",
              "Rangez à plat, loin des sources de chaleur.",
              "Refermez les boîtes après usage pour garder les articles propres."),
        views=("vue de dessus", "vue de trois quarts", "détail du mécanisme", "contenu de la boîte",
               "sur un bureau"),
        countries=("FR", "DE", "IT", "ES", "PT"),
    ),
    "telephonie": Family(
        usages=("équiper les flottes de téléphones professionnels", "protéger les smartphones sur le terrain",
                "recharger rapidement au bureau ou en véhicule", "les commerciaux itinérants"),
        publics=("les techniciens itinérants", "les services informatiques", "les commerciaux",
                 "les gestionnaires de flottes mobiles"),
        benefits=(
            "La compatibilité a été vérifiée sur les modèles indiqués.",
            "Les matériaux résistent aux chutes du quotidien et aux rayures.",
            "Le design fin conserve l'accès à tous les boutons et connecteurs.",
            "Les protections électriques intégrées préviennent surchauffe et court-circuit.",
            "Le conditionnement sobre convient aux dotations d'entreprise.",
            "La connectique renforcée supporte des milliers de branchements.",
            "La charge rapide récupère une bonne partie de l'autonomie pendant une pause.",
        ),
        care=("Nettoyez avec un chiffon doux légèrement humide, sans produit abrasif.",
              "Débranchez le chargeur de la prise lorsqu'il n'est pas utilisé.",
              "Évitez de plier le câble à angle droit au niveau des connecteurs."),
        views=("vue de face", "vue de dos", "détail du connecteur", "en situation", "contenu de l'emballage"),
        countries=("CN", "VN", "TW", "KR"),
    ),
    "cuisine": Family(
        usages=("les cuisines de restaurants", "la restauration collective", "les traiteurs et laboratoires",
                "les cuisines d'hôtels"),
        publics=("les chefs et commis", "les traiteurs", "les cantines et restaurants d'entreprise",
                 "les écoles hôtelières"),
        benefits=(
            "L'acier inoxydable alimentaire résiste à la corrosion et aux lavages répétés.",
            "Le produit passe au lave-vaisselle professionnel sans se ternir.",
            "La prise en main équilibrée limite la fatigue lors des longs services.",
            "Les bords arrondis facilitent le nettoyage et respectent les règles d'hygiène.",
            "Le fond épais répartit la chaleur uniformément, sans point chaud.",
            "Compatible avec tous les feux, y compris l'induction.",
            "La finition brossée masque les petites rayures du quotidien.",
        ),
        care=("Lavez à l'eau chaude et séchez aussitôt pour garder un aspect impeccable.",
              "Évitez les éponges métalliques qui rayent la surface.",
              "Rangez à l'abri des chocs pour préserver le tranchant et les bords."),
        views=("vue de dessus", "vue de profil", "en cuisine", "détail de la poignée", "détail de la finition"),
        countries=("FR", "DE", "IT", "ES", "CN"),
    ),
    "jardin": Family(
        usages=("l'entretien des espaces verts", "les travaux de jardinage saisonniers",
                "l'arrosage des massifs et des potagers", "les chantiers de paysagisme"),
        publics=("les paysagistes", "les services techniques des communes", "les pépiniéristes",
                 "les gestionnaires de résidences"),
        benefits=(
            "Les matériaux traités résistent aux UV et aux intempéries.",
            "La conception robuste supporte un usage quotidien en saison haute.",
            "Les pièces d'usure se remplacent facilement sans outillage spécial.",
            "La prise en main ergonomique réduit l'effort sur les longues séances.",
            "Le poids contenu facilite le transport d'une parcelle à l'autre.",
            "Les raccords standard se montent sur la plupart des installations existantes.",
        ),
        care=("Rincez à l'eau claire après usage et rangez à l'abri du gel.",
              "Huilez les parties métalliques en fin de saison.",
              "Vidangez complètement avant l'hiver pour éviter toute casse."),
        views=("vue d'ensemble", "en situation au jardin", "détail du mécanisme", "vue de profil"),
        countries=("FR", "DE", "IT", "ES", "PL"),
    ),
    "cosmetique": Family(
        usages=("le soin des mains abîmées par le travail manuel", "l'hygiène au poste de travail",
                "les vestiaires et sanitaires d'entreprise", "les métiers exposés au froid et aux lavages"),
        publics=("les artisans", "les équipes de production", "les soignants et aides à domicile",
                 "les mécaniciens"),
        benefits=(
            "La formule sans parfum convient aux peaux sensibles.",
            "Les ingrédients d'origine naturelle représentent l'essentiel de la composition.",
            "La texture pénètre vite et ne laisse pas de film gras.",
            "Le flacon pompe dose la juste quantité et limite le gaspillage.",
            "La tolérance cutanée a été testée sous contrôle dermatologique.",
            "Le format convient aussi bien aux vestiaires qu'à la trousse personnelle.",
        ),
        care=("Conservez à température ambiante, à l'abri de la lumière directe.",
              "À utiliser de préférence dans les douze mois après ouverture.",
              "Refermez bien après usage pour préserver la texture."),
        views=("flacon de face", "texture en gros plan", "détail de l'étiquette", "en situation au vestiaire"),
        countries=("FR", "BE", "DE", "IT"),
    ),
}

SIZES = ("XS", "S", "M", "L", "XL", "XXL", "3XL")
COLOURS = ("Noir", "Bleu marine", "Gris anthracite", "Blanc", "Rouge", "Vert kaki", "Bleu roi", "Beige")
BRANDS = {
    "outil": ("Forgex", "Valtek", "Dupont Pro", "Mecanor", "Tornax"),
    "vetement": ("Texa Work", "Dupont Pro", "Solvane", "Kermor"),
    "epi": ("Protek", "Salvia", "Dupont Pro", "Norvel"),
    "mobilier": ("Burealine", "Norden", "Sitwell", "Delmas"),
    "eclairage": ("Lumeo", "Photonix", "Clairval", "Dupont Pro"),
    "papeterie": ("Papyrel", "Scriba", "Bureau Plus", "Classeo"),
    "telephonie": ("Mobilis", "Volta", "Connecta", "Shellix"),
    "cuisine": ("Culina Pro", "Brigade", "Toquinox", "Vatel"),
    "jardin": ("Verdal", "Hortis", "Jardimax", "Ramure"),
    "cosmetique": ("Maniva", "Dermacle", "Savonnerie Dupont", "Lavande Pro"),
}


# ---------------------------------------------------------------------------
# Products and their rows
# ---------------------------------------------------------------------------


@dataclass
class Variant:
    values: tuple[str, ...]
    sku: str
    barcode: str
    grams: str
    qty: str
    policy: str
    minimum: str
    price: str
    compare_at: str
    shipping: str
    taxable: str
    image: str = ""


@dataclass
class Product:
    handle: str
    title: str
    body: str
    type: str
    tags: str
    option_names: tuple[str, ...]
    variants: list[Variant]
    images: list[tuple[str, str]]
    family: str = ""
    name: str = ""
    model: str = ""
    collection: str = ""
    currency: str = ""
    video: str = ""
    policy: str = ""
    country: str = ""
    seo_title: str = ""
    seo_description: str = ""
    views: tuple[str, ...] = ()
    extension: str = ".jpg"
    image_base: str = DEFAULT_IMAGE_BASE

    def rows(self) -> list[dict[str, str]]:
        names = [*self.option_names, "", "", ""][:3]
        out: list[dict[str, str]] = []
        for i, variant in enumerate(self.variants):
            row = dict.fromkeys(FULL_COLUMNS, "")
            row["Handle"] = self.handle
            if i == 0:
                row.update({
                    "Title": self.title, "Body (HTML)": self.body, "Type": self.type, "Tags": self.tags,
                    "Collection": self.collection, "Option1 Name": names[0], "Option2 Name": names[1],
                    "Option3 Name": names[2], "Currency": self.currency, "Video URL": self.video,
                    "Product Policy": self.policy, "Country of Origin": self.country,
                    "SEO Title": self.seo_title, "SEO Description": self.seo_description,
                })
                if self.images:
                    row["Image Src"], row["Image Alt Text"] = self.images[0]
            values = [*variant.values, "", "", ""][:3]
            row.update({
                "Option1 Value": values[0], "Option2 Value": values[1], "Option3 Value": values[2],
                "Variant SKU": variant.sku, "Variant Barcode": variant.barcode, "Variant Grams": variant.grams,
                "Variant Inventory Qty": variant.qty, "Variant Inventory Policy": variant.policy,
                "Variant Minimum Quantity": variant.minimum, "Variant Price": variant.price,
                "Variant Compare At Price": variant.compare_at, "Variant Requires Shipping": variant.shipping,
                "Variant Taxable": variant.taxable, "Variant Image": variant.image,
            })
            out.append(row)
        for url, alt in self.images[1:]:
            row = dict.fromkeys(FULL_COLUMNS, "")
            row.update({"Handle": self.handle, "Image Src": url, "Image Alt Text": alt})
            out.append(row)
        return out

    def image_url(self, n: int) -> str:
        return f"{self.image_base}/produits/{self.handle}-{n}{self.extension}"

    def set_image_count(self, count: int) -> None:
        """Keep the first image (and the variants' own) and make the list exactly `count` long."""
        used = {url for url, _ in self.images[:1]} | {v.image for v in self.variants if v.image}
        keep = [img for img in self.images if img[0] in used]
        n = len(self.images) + 1
        while len(keep) < count:
            url = self.image_url(n)
            keep.append((url, f"{self.name} {self.model}, {self.views[(n - 1) % len(self.views)]}"))
            n += 1
        self.images = keep[:count]


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def ean13(body12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def money(value: float) -> str:
    return f"{value:.2f}"


def html_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


PLURALS = {"Couleur": "coloris", "Plateau": "finitions de plateau", "Dimensions": "dimensions",
           "Couleur d'encre": "couleurs d'encre", "Modèle": "modèles de téléphone", "Lame": "lames au choix"}
ARTICLES = {"m": ("le ", "un "), "f": ("la ", "une "), "mp": ("les ", "des "), "fp": ("les ", "des ")}
AGREEMENT = {"m": "", "f": "e", "mp": "s", "fp": "es"}


def the(name: str, gender: str) -> str:
    lowered = name[0].lower() + name[1:]
    if gender in ("m", "f") and unicodedata.normalize("NFKD", lowered)[0] in "aeiouyh":
        return "l'" + lowered
    return ARTICLES[gender][0] + lowered


Archetype = Callable[["Catalog", bool], Product]


@dataclass
class Spec:
    """What an archetype decides; `Catalog.assemble` turns it into a product."""

    family: str
    type: str
    name: str
    gender: str
    title_specs: str
    features: list[str]
    facts: list[str]
    tags: list[str]
    price: float
    grams: int
    options: list[tuple[str, list[str]]] = field(default_factory=list)
    price_steps: dict[str, float] = field(default_factory=dict)
    minimum: int = 1
    colour_option: str = ""


class Catalog:
    """Builds products with unique handles, models, SKUs and barcodes."""

    def __init__(self, seed: int, image_base: str, sku_prefix: str, ean_prefix: str) -> None:
        self.rng = random.Random(seed)
        self.image_base = image_base.rstrip("/")
        self.sku_prefix = sku_prefix
        self.ean_prefix = ean_prefix
        self.models: set[str] = set()
        self.handles: set[str] = set()
        self.barcodes: set[str] = set()
        self.stems: set[str] = set()

    def make(self, build: Archetype, variants: bool) -> Product:
        """A product of the archetype whose title, model aside, no other product has."""
        for _ in range(40):
            product = build(self, variants)
            stem = product.title.removesuffix(product.model)
            if stem not in self.stems:
                break
        self.stems.add(stem)
        return product

    def model(self, letters: str) -> str:
        while True:
            code = f"{letters}{self.rng.randint(100, 989)}"
            if code not in self.models:
                self.models.add(code)
                return code

    def barcode(self) -> str:
        while True:
            digits = "".join(str(self.rng.randrange(10)) for _ in range(12 - len(self.ean_prefix)))
            code = ean13(self.ean_prefix + digits)
            if code not in self.barcodes:
                self.barcodes.add(code)
                return code

    def describe(self, spec: Spec, brand: str, model: str) -> str:
        rng = self.rng
        fam = FAMILIES[spec.family]
        name_lc = the(spec.name, spec.gender)
        intro = rng.choice(INTROS).format(
            Le_nom=name_lc[0].upper() + name_lc[1:], le_nom=name_lc, brand=brand, model=model,
            usage=rng.choice(fam.usages), public=rng.choice(fam.publics), e=AGREEMENT[spec.gender],
        )
        benefits = rng.sample(fam.benefits, k=min(len(fam.benefits), rng.randint(2, 4)))
        features = rng.sample(spec.features, k=min(len(spec.features), rng.randint(4, 6)))
        blocks_order = rng.random() < 0.5
        counts = " et ".join(f"{len(values)} {PLURALS.get(name, name.lower() + 's')}"
                             for name, values in spec.options if len(values) > 1)
        facts = list(spec.facts)
        if counts:
            facts.append(f"La référence se décline en {counts}, toutes livrables depuis notre stock.")
        closing = rng.sample(CLOSINGS, k=2)
        first = f"<p>{intro} {' '.join(facts)}</p>"
        middle = f"<p>{' '.join(benefits)}</p>"
        items = "".join(f"<li>{item}</li>" for item in features)
        last = f"<p>{rng.choice(fam.care)} {' '.join(closing)}</p>"
        blocks = [first, middle, f"<ul>{items}</ul>", last]
        at_list, at_benefits = 2, 1
        if blocks_order:
            blocks[1], blocks[2] = blocks[2], blocks[1]
            at_list, at_benefits = 1, 2
        while len(html_text("".join(blocks))) > 1450 and len(features) > 3:
            features.pop()
            blocks[at_list] = "<ul>" + "".join(f"<li>{item}</li>" for item in features) + "</ul>"
        extra = [b for b in fam.benefits if b not in benefits]
        while len(html_text("".join(blocks))) < 560 and extra:
            benefits.append(extra.pop(rng.randrange(len(extra))))
            blocks[at_benefits] = f"<p>{' '.join(benefits)}</p>"
        separator = "\n" if rng.random() < 0.4 else ""
        return separator.join(blocks)

    def assemble(self, spec: Spec, letters: str, *, extra_images: int | None = None) -> Product:
        rng = self.rng
        fam = FAMILIES[spec.family]
        brand = rng.choice(BRANDS[spec.family])
        model = self.model(letters)
        title = f"{spec.name} {spec.title_specs} {brand} {model}".replace("  ", " ")
        handle = slug(f"{spec.name} {spec.title_specs} {model}")
        while handle in self.handles:
            handle += "-b"
        self.handles.add(handle)
        body = self.describe(spec, brand, model)
        tags = [spec.type, *spec.tags, slug(brand)]
        rng.shuffle(tags)
        seen: list[str] = []
        for tag in tags:
            if tag not in seen:
                seen.append(tag)
        product = Product(
            handle=handle, title=title, body=body, type=spec.type, tags=",".join(seen),
            option_names=tuple(name for name, _ in spec.options) or ("Title",), variants=[], images=[],
            family=spec.family, name=spec.name, model=model, views=fam.views,
            extension=".png" if rng.random() < 0.2 else ".jpg", image_base=self.image_base,
        )
        product.currency = "EUR" if rng.random() < 0.2 else ""
        product.video = self.video() if rng.random() < 0.25 else ""
        product.policy = rng.choice(POLICIES) if rng.random() < 0.15 else ""
        product.country = rng.choice(fam.countries) if rng.random() < 0.8 else ""
        if rng.random() < 0.7:
            seo = f"{spec.name} {model} {brand}"
            while len(seo) > 60:
                seo = seo.rsplit(" ", 1)[0]
            product.seo_title = seo
        if rng.random() < 0.6:
            second = spec.features[1][0].lower() + spec.features[1][1:]
            seo_d = f"{spec.name} {spec.title_specs} de {brand}. {spec.features[0]}, {second}."
            if len(seo_d) <= 150:
                product.seo_description = seo_d
        product.images = [(product.image_url(1), f"{spec.name} {model}, {fam.views[0]}")]
        colour_images: dict[str, str] = {}
        if spec.colour_option:
            colours = next(values for name, values in spec.options if name == spec.colour_option)
            for i, colour in enumerate(colours):
                url = product.image_url(i + 1)
                colour_images[colour] = url
                if i:
                    product.images.append((url, f"{spec.name} {model} coloris {colour.lower()}"))
            product.images[0] = (product.images[0][0], f"{spec.name} {model} coloris {colours[0].lower()}")
        self.add_variants(product, spec, colour_images)
        extra = rng.choice((0, 0, 0, 1, 1, 2)) if extra_images is None else extra_images
        product.set_image_count(len(product.images) + extra)
        return product

    def add_variants(self, product: Product, spec: Spec, colour_images: dict[str, str]) -> None:
        rng = self.rng
        price = spec.price
        compare = price * rng.choice((1.15, 1.2, 1.25, 1.3)) if rng.random() < 0.25 else 0.0
        combos: list[tuple[str, ...]] = (
            list(combinations(*(values for _, values in spec.options))) if spec.options else [("Default Title",)]
        )
        colour_index = [name for name, _ in spec.options].index(spec.colour_option) if spec.colour_option else -1
        stock_policy = rng.choice(("deny", "deny", "deny", "continue", ""))
        base_sku = f"{self.sku_prefix}-{product.model}"
        for j, combo in enumerate(combos, start=1):
            delta = sum(spec.price_steps.get(value, 0.0) for value in combo)
            qty = rng.choice((0, 3, 8, 12, 25, 40, 60, 120, 250)) if rng.random() < 0.9 else rng.randint(1, 500)
            grams = max(1, round(spec.grams * rng.uniform(0.95, 1.05)))
            product.variants.append(Variant(
                values=combo,
                sku=f"{base_sku}-{j:02d}" if spec.options else base_sku,
                barcode=self.barcode() if rng.random() < 0.85 else "",
                grams=str(grams), qty=str(qty), policy=stock_policy, minimum=str(spec.minimum),
                price=money(price + delta), compare_at=money(compare + delta) if compare else "",
                shipping="TRUE" if rng.random() < 0.95 else "",
                taxable="TRUE" if rng.random() < 0.9 else "",
                image=colour_images.get(combo[colour_index], "") if colour_index >= 0 else "",
            ))

    def video(self) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        return "https://www.youtube.com/watch?v=" + "".join(self.rng.choice(alphabet) for _ in range(11))


# ---------------------------------------------------------------------------
# Archetypes: one function per kind of product the seller sells
# ---------------------------------------------------------------------------

def perceuse(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    name, gender = r.choice((("Perceuse-visseuse sans fil", "f"), ("Perceuse à percussion sans fil", "f"),
                             ("Perceuse-visseuse compacte", "f"), ("Perceuse-visseuse brushless", "f")))
    volt = r.choice((12, 18, 18, 20))
    torque = r.choice((28, 35, 42, 50, 60, 75, 90))
    chuck = 10 if volt == 12 else 13
    rpm = r.choice((1350, 1500, 1800, 2000))
    weight = round(r.uniform(0.9, 1.9), 1)
    options = [("Batterie", ["Sans batterie", "1 batterie 2 Ah", "2 batteries 4 Ah"])] if variants else []
    spec = Spec(
        family="outil", type="Perceuses", name=name, gender=gender,
        title_specs=f"{volt}V {torque} Nm mandrin {chuck} mm" + ("" if variants else " avec 2 batteries"),
        features=[f"Tension : {volt} V", f"Couple maximal : {torque} Nm", f"Mandrin auto-serrant : {chuck} mm",
                  f"Vitesse à vide : 0 à {rpm} tr/min", f"Poids avec batterie : {str(weight).replace('.', ',')} kg",
                  f"Réglage du couple : {r.choice((16, 18, 20, 21, 24))} positions",
                  f"Capacité de perçage bois : {r.choice((25, 30, 35, 38))} mm"],
        facts=[f"Son couple de {torque} Nm vient à bout des vis de {r.choice((6, 8, 10))} mm dans le bois dur.",
               f"Avec {str(weight).replace('.', ',')} kg seulement, elle se manie longtemps à bout de bras."],
        tags=["outillage", f"{volt}V", "perceuse", "lithium"],
        price=r.choice((79.9, 99.0, 119.9, 149.0, 189.9)) if variants else r.choice((169.0, 219.9, 249.0)),
        grams=int(weight * 1000) + 600, options=options,
        price_steps={"1 batterie 2 Ah": 45.0, "2 batteries 4 Ah": 110.0},
    )
    return cat.assemble(spec, "PV")


def visseuse(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    name, gender = r.choice((("Visseuse à chocs sans fil", "f"), ("Tournevis électrique rechargeable", "m"),
                             ("Visseuse plaquiste automatique", "f"), ("Boulonneuse à chocs", "f")))
    if name.startswith("Tournevis"):
        volt, torque = r.choice((3, 4, 7)), r.choice((4, 5, 6, 8))
    elif name.startswith("Visseuse plaquiste"):
        volt, torque = r.choice((12, 18)), r.choice((10, 12, 15))
    else:
        volt, torque = r.choice((12, 18)), r.choice((140, 180, 220, 300))
    spec = Spec(
        family="outil", type="Tournevis et visseuses", name=name, gender=gender,
        title_specs=f"{volt}V {torque} Nm",
        features=[f"Tension : {volt} V", f"Couple : {torque} Nm", "Porte-embout : 6,35 mm hexagonal",
                  f"Frappes par minute : {r.choice((2800, 3200, 3600))}",
                  f"Longueur : {r.randint(12, 22)} cm", f"Autonomie annoncée : {r.choice((300, 450, 600))} vis"],
        facts=[f"Elle enchaîne environ {r.choice((300, 450, 600))} vissages par charge dans le résineux.",
               f"Son nez de {r.randint(40, 55)} mm de diamètre passe dans les angles serrés."],
        tags=["outillage", "vissage", f"{volt}V"],
        price=r.choice((39.9, 59.0, 89.9, 129.0, 159.9)), grams=r.choice((450, 900, 1300, 1600)),
        options=[("Coffret", ["Sans coffret", "Coffret et chargeur"])] if variants else [],
        price_steps={"Coffret et chargeur": 35.0},
    )
    return cat.assemble(spec, "VS")


def scie(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    name, gender = r.choice((("Scie sauteuse pendulaire", "f"), ("Scie circulaire", "f"), ("Scie sabre", "f"),
                             ("Scie plongeante", "f")))
    watts = r.choice((650, 800, 1050, 1200, 1400))
    depth = r.choice((55, 62, 66, 85, 120))
    spec = Spec(
        family="outil", type="Scies", name=name, gender=gender, title_specs=f"{watts} W coupe {depth} mm",
        features=[f"Puissance : {watts} W", f"Profondeur de coupe bois : {depth} mm",
                  f"Course de lame : {r.choice((20, 26, 28))} mm", "Changement de lame sans outil",
                  f"Câble : {r.choice((3, 4))} m", "Raccord d'aspiration : 35 mm"],
        facts=[f"Sa puissance de {watts} W tient la cadence dans les panneaux et les bois massifs."],
        tags=["outillage", "sciage", "decoupe"],
        price=r.choice((89.0, 129.9, 179.0, 249.9)), grams=r.choice((2200, 2900, 3600, 4400)),
        options=[("Lame", ["Lame bois", "Lame métal", "Lame multi-matériaux"])] if variants else [],
        price_steps={"Lame métal": 6.0, "Lame multi-matériaux": 9.0},
    )
    return cat.assemble(spec, "SC")


def _clothing(cat: Catalog, type_: str, names: tuple[tuple[str, str], ...], letters: str,
              specs: Callable[[random.Random], tuple[str, list[str], list[str], float, int]]) -> Product:
    r = cat.rng
    name, gender = r.choice(names)
    title_specs, features, facts, price, grams = specs(r)
    start = r.randint(0, 2)
    sizes = list(SIZES[start:start + r.randint(4, 5)])
    colours = r.sample(COLOURS, k=r.randint(1, 3))
    spec = Spec(
        family="vetement", type=type_, name=name, gender=gender, title_specs=title_specs, features=features,
        facts=facts, tags=["vetement-de-travail", "epi", slug(name.split()[0])], price=price, grams=grams,
        options=[("Taille", sizes), ("Couleur", colours)], price_steps={"XXL": 2.0, "3XL": 4.0},
        colour_option="Couleur",
    )
    return cat.assemble(spec, letters)


def haut(cat: Catalog, variants: bool) -> Product:
    def specs(r: random.Random) -> tuple[str, list[str], list[str], float, int]:
        weight = r.choice((160, 180, 190, 220, 260, 280))
        fabric = r.choice(("coton bio", "polycoton", "coton peigné", "polyester recyclé"))
        return (f"{fabric} {weight} g/m²",
                [f"Matière : {fabric}", f"Grammage : {weight} g/m²", "Col : rond côtelé",
                 f"Coupe : {r.choice(('droite', 'ajustée', 'ample'))}", "Coutures : double aiguille",
                 "Étiquette : imprimée, sans frottement"],
                [f"Le {fabric} de {weight} g/m² offre une bonne tenue sans sensation de lourdeur."],
                r.choice((9.9, 12.5, 14.9, 19.9, 24.9)), weight + 40)
    return _clothing(cat, "Hauts", (("T-shirt de travail", "m"), ("Polo de travail", "m"),
                                    ("Sweat de travail", "m"), ("Tee-shirt manches longues", "m")), "TS", specs)


def veste(cat: Catalog, variants: bool) -> Product:
    def specs(r: random.Random) -> tuple[str, list[str], list[str], float, int]:
        fabric = r.choice(("softshell trois couches", "polyester enduit", "nylon ripstop", "toile de coton"))
        column = r.choice((5000, 8000, 10000))
        return (f"{fabric}",
                [f"Tissu : {fabric}", f"Imperméabilité : {column} mm", "Fermeture : zip pleine longueur",
                 f"Poches : {r.randint(4, 7)}", "Capuche : amovible", "Poignets : réglables par patte auto-agrippante"],
                [f"Sa colonne d'eau de {column} mm la rend adaptée aux averses soutenues."],
                r.choice((49.9, 64.9, 79.0, 99.0)), r.choice((650, 800, 950)))
    return _clothing(cat, "Vêtements de plein air", (("Veste de travail", "f"), ("Parka de travail", "f"),
                                                     ("Gilet matelassé de travail", "m")), "VT", specs)


def pantalon(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    name, gender = r.choice((("Pantalon de travail multipoches", "m"), ("Pantalon de menuisier", "m"),
                             ("Pantalon stretch de chantier", "m")))
    weight = r.choice((245, 280, 300, 320))
    sizes = [str(s) for s in range(r.choice((36, 38)), r.choice((48, 50, 52)) + 1, 2)]
    colours = r.sample(COLOURS[:4], k=r.randint(1, 2))
    spec = Spec(
        family="vetement", type="Pantalons", name=name, gender=gender, title_specs=f"{weight} g/m² poches genoux",
        features=[f"Grammage : {weight} g/m²", "Poches genouillères : oui", f"Poches : {r.randint(6, 10)}",
                  "Ceinture : élastiquée au dos", "Renforts : Cordura aux genoux", "Porte-marteau : oui"],
        facts=[f"La toile de {weight} g/m² encaisse les frottements du travail à genoux."],
        tags=["vetement-de-travail", "pantalon", "chantier"], price=r.choice((34.9, 44.9, 54.9, 69.0)),
        grams=weight * 2 + 150, options=[("Taille", sizes), ("Couleur", colours)], colour_option="Couleur",
    )
    return cat.assemble(spec, "PT")


def chaussures(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    name, gender = r.choice((("Chaussures de sécurité basses", "fp"), ("Chaussures de sécurité montantes", "fp"),
                             ("Baskets de sécurité", "fp")))
    norm = r.choice(("S1P", "S3", "S3 SRC", "S1P SRC"))
    sizes = [str(s) for s in range(r.choice((38, 39)), r.choice((45, 46, 47)) + 1)]
    spec = Spec(
        family="epi", type="Chaussures", name=name, gender=gender, title_specs=norm,
        features=[f"Norme : EN ISO 20345 {norm}", "Embout : composite 200 joules", "Semelle : antiperforation textile",
                  f"Poids de la paire : {r.randint(980, 1350)} g", "Doublure : respirante",
                  "Semelle intérieure : amovible"],
        facts=[f"Le niveau {norm} couvre les risques courants des chantiers et des entrepôts."],
        tags=["epi", "securite", "chaussure"], price=r.choice((49.9, 69.9, 89.0, 109.0)), grams=1400,
        options=[("Pointure", sizes)],
    )
    return cat.assemble(spec, "CH")


def gants(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    name, gender = r.choice((("Gants de manutention enduits nitrile", "mp"), ("Gants anti-coupure niveau C", "mp"),
                             ("Gants de mécanicien", "mp"), ("Gants isolants pour le froid", "mp")))
    pairs = r.choice((6, 12, 24))
    spec = Spec(
        family="epi", type="Gants de sécurité", name=name, gender=gender, title_specs=f"lot de {pairs} paires",
        features=[f"Conditionnement : {pairs} paires", "Norme : EN 388", f"Jauge : {r.choice((13, 15, 18))}",
                  f"Enduction : {r.choice(('nitrile', 'latex', 'polyuréthane'))}", "Poignet : tricot élastique",
                  "Compatible écrans tactiles : oui"],
        facts=[f"Vendus par lot de {pairs} paires pour équiper toute une équipe."],
        tags=["epi", "gants", "manutention"], price=r.choice((18.9, 24.9, 32.0, 45.0)), grams=40 * pairs,
        options=[("Taille", ["7", "8", "9", "10"] + (["11"] if r.random() < 0.5 else []))] if variants else [],
    )
    return cat.assemble(spec, "GA")


def protection(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    if r.random() < 0.5:
        name, gender, type_ = "Lunettes de protection", "fp", "Lunettes de protection"
        specs = r.choice(("incolores anti-buée", "teintées anti-rayures", "à branches réglables"))
        features = ["Norme : EN 166", f"Traitement : {specs}", "Verres : polycarbonate",
                    f"Poids : {r.randint(22, 40)} g", "Port sur lunettes de vue : oui"]
    else:
        name, gender, type_ = "Casque de chantier ventilé", "m", "Casques de sécurité"
        specs = r.choice(("avec jugulaire", "à serrage crémaillère", "avec lampe frontale"))
        features = ["Norme : EN 397", f"Équipement : {specs}", "Coque : polyéthylène haute densité",
                    f"Poids : {r.randint(320, 420)} g", "Tour de tête : 53 à 63 cm"]
    spec = Spec(
        family="epi", type=type_, name=name, gender=gender, title_specs=specs, features=features,
        facts=[f"Ce modèle {specs} a été retenu pour son confort sur les longues journées."],
        tags=["epi", "protection"], price=r.choice((6.9, 9.9, 14.5, 24.9, 34.9)), grams=r.choice((60, 380)),
        options=[("Couleur", r.sample(["Blanc", "Jaune", "Bleu", "Rouge", "Orange"], k=3))] if variants else [],
        colour_option="Couleur" if variants else "",
    )
    return cat.assemble(spec, "PR")


def siege(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    name, gender = r.choice((("Fauteuil de bureau ergonomique", "m"), ("Chaise de bureau en maille", "f"),
                             ("Tabouret assis-debout", "m"), ("Fauteuil de direction", "m")))
    hours = r.choice((8, 10, 24))
    spec = Spec(
        family="mobilier", type="Sièges de bureau", name=name, gender=gender,
        title_specs=f"usage {hours}h soutien lombaire",
        features=[f"Usage certifié : {hours} heures par jour", f"Charge maximale : {r.choice((110, 120, 150))} kg",
                  "Mécanisme : synchrone verrouillable", "Accoudoirs : réglables en hauteur",
                  f"Hauteur d'assise : {r.randint(42, 46)} à {r.randint(52, 56)} cm",
                  "Roulettes : sols durs et moquettes"],
        facts=[f"Certifié pour un usage de {hours} heures par jour, il convient aux postes partagés."],
        tags=["mobilier", "bureau", "ergonomie"], price=r.choice((129.0, 189.0, 249.0, 349.0)),
        grams=r.choice((12500, 15000, 17800)),
        options=[("Couleur", r.sample(["Noir", "Gris", "Bleu", "Vert sauge"], k=r.randint(2, 3)))] if variants else [],
        colour_option="Couleur" if variants else "",
    )
    return cat.assemble(spec, "SB")


def bureau(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    name, gender = r.choice((("Bureau droit", "m"), ("Bureau assis-debout électrique", "m"), ("Bureau d'angle", "m"),
                             ("Bureau bench deux postes", "m")))
    widths = r.sample(["120 x 80 cm", "140 x 80 cm", "160 x 80 cm", "180 x 80 cm"], k=r.randint(2, 3))
    tops = r.sample(["Chêne clair", "Blanc", "Anthracite", "Noyer"], k=2)
    legs = ["Blanc", "Noir"] if r.random() < 0.7 else ["Noir", "Gris alu"]
    thickness = r.choice((19, 22, 25))
    spec = Spec(
        family="mobilier", type="Bureaux", name=name, gender=gender, title_specs=f"plateau {thickness} mm",
        features=[f"Épaisseur du plateau : {thickness} mm", "Piètement : acier laqué", "Vérins de réglage : oui",
                  f"Charge admissible : {r.choice((60, 80, 100))} kg", "Norme : EN 527",
                  "Passe-câbles : goulotte sous plateau"],
        facts=[f"Son plateau de {thickness} mm reste parfaitement plan même chargé d'écrans."],
        tags=["mobilier", "bureau", "amenagement"], price=r.choice((219.0, 289.0, 399.0, 549.0)),
        grams=r.choice((28000, 34000, 41000)),
        options=[("Dimensions", widths), ("Plateau", tops), ("Piètement", legs)],
        price_steps={"140 x 80 cm": 30.0, "160 x 80 cm": 60.0, "180 x 80 cm": 90.0, "Noyer": 25.0},
    )
    return cat.assemble(spec, "BU")


def ampoule(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    base = r.choice(("E27", "E14", "GU10", "B22"))
    watts = r.choice((4, 5, 7, 9, 11, 13))
    lumens = watts * r.choice((100, 105, 110))
    pack = r.choice((5, 10, 20))
    spec = Spec(
        family="eclairage", type="Ampoules", name="Ampoule LED", gender="f",
        title_specs=f"{base} {watts}W {lumens} lm lot de {pack}",
        features=[f"Culot : {base}", f"Puissance : {watts} W", f"Flux lumineux : {lumens} lm",
                  f"Durée de vie : {r.choice((15000, 25000, 30000))} heures", "Indice de rendu : IRC 80",
                  f"Angle d'éclairage : {r.choice((36, 120, 200))} degrés"],
        facts=[f"Ses {lumens} lumens remplacent une ampoule classique bien plus gourmande.",
               f"Le lot de {pack} couvre le remplacement de toute une pièce."],
        tags=["eclairage", "led", base.lower()], price=r.choice((14.9, 19.9, 29.9, 44.9)), grams=35 * pack,
        options=[("Température", ["2700 K", "4000 K", "6500 K"])] if variants else [],
    )
    return cat.assemble(spec, "AM")


def projecteur(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    watts = r.choice((20, 30, 50, 100))
    name, gender = r.choice((("Projecteur LED de chantier", "m"), ("Projecteur LED portable rechargeable", "m"),
                             ("Projecteur LED sur trépied", "m")))
    spec = Spec(
        family="eclairage", type="Projecteurs de chantier", name=name, gender=gender,
        title_specs=f"{watts}W IP65", features=[
            f"Puissance : {watts} W", f"Flux : {watts * 100} lm", "Indice de protection : IP65",
            f"Câble : {r.choice((1.5, 3, 5))} m".replace(".", ","), "Classe : II",
            f"Température de couleur : {r.choice((4000, 5000, 6500))} K"],
        facts=[f"Ses {watts * 100} lumens éclairent une zone de travail de plusieurs dizaines de mètres carrés."],
        tags=["eclairage", "chantier", "led"], price=r.choice((24.9, 39.9, 59.0, 89.0)), grams=watts * 30 + 400,
    )
    return cat.assemble(spec, "PJ")


def lampe(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    name, gender = r.choice((("Lampe de bureau LED", "f"), ("Lampe d'architecte LED", "f"), ("Lampadaire LED", "m")))
    watts = r.choice((6, 8, 10, 12, 24))
    spec = Spec(
        family="eclairage", type="Lampes", name=name, gender=gender, title_specs=f"{watts}W variateur tactile",
        features=[f"Puissance : {watts} W", f"Niveaux d'intensité : {r.choice((3, 5, 7))}",
                  "Bras : orientable", f"Hauteur : {r.randint(38, 180)} cm", "Port USB de charge : oui",
                  "Température réglable : 3000 à 6000 K"],
        facts=[f"Sa puissance de {watts} W suffit à un plan de travail complet."],
        tags=["eclairage", "bureau", "led"], price=r.choice((29.9, 39.9, 59.9, 89.0)),
        grams=r.choice((900, 1400, 5200)),
        options=[("Couleur", ["Noir", "Blanc"])] if variants else [], colour_option="Couleur" if variants else "",
    )
    return cat.assemble(spec, "LA")


def fourniture(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    kind = r.randrange(4)
    if kind == 0:
        sheets = r.choice((20, 25, 40, 60))
        spec = Spec(family="papeterie", type="Agrafeuses", name="Agrafeuse de bureau", gender="f",
                    title_specs=f"capacité {sheets} feuilles",
                    features=[f"Capacité : {sheets} feuilles", "Agrafes : 24/6 et 26/6", "Chargement : par le dessus",
                              "Base : antidérapante", "Corps : métal"],
                    facts=[f"Elle agrafe jusqu'à {sheets} feuilles d'un geste, sans effort."],
                    tags=["fournitures", "bureau"], price=r.choice((8.9, 12.9, 19.9)), grams=300)
    elif kind == 1:
        grams = r.choice((75, 80, 90))
        boxes = r.choice((1, 5))
        spec = Spec(family="papeterie", type="Papeterie", name="Ramette de papier A4", gender="f",
                    title_specs=f"{grams} g blanc {'carton de 5' if boxes == 5 else 'à l’unité'}",
                    features=[f"Grammage : {grams} g/m²", "Format : A4", "Feuilles par ramette : 500",
                              f"Blancheur : CIE {r.choice((146, 153, 161))}", "Certification : FSC"],
                    facts=[f"Le papier de {grams} g convient aux imprimantes laser et jet d'encre."],
                    tags=["fournitures", "papier", "a4"], price=5.9 * boxes + r.choice((0.0, 1.0)),
                    grams=2500 * boxes, minimum=1 if boxes == 5 else 5)
    elif kind == 2:
        count = r.choice((12, 20, 50))
        spec = Spec(family="papeterie", type="Instruments d'écriture et de dessin", name="Stylos bille rétractables",
                    gender="mp", title_specs=f"boîte de {count} pointe moyenne",
                    features=[f"Quantité : {count} stylos", "Pointe : moyenne 1 mm", "Encre : à séchage rapide",
                              "Clip : métal", "Corps : plastique recyclé"],
                    facts=[f"La boîte de {count} stylos équipe un service entier."], tags=["fournitures", "ecriture"],
                    price=r.choice((6.9, 9.9, 17.9)), grams=8 * count,
                    options=[("Couleur d'encre", ["Bleu", "Noir", "Rouge", "Vert"])] if variants else [])
    else:
        digits = r.choice((10, 12, 14))
        spec = Spec(family="papeterie", type="Calculatrices", name="Calculatrice de bureau", gender="f",
                    title_specs=f"{digits} chiffres solaire",
                    features=[f"Affichage : {digits} chiffres", "Alimentation : solaire et pile",
                              "Touches : grand format", "Fonctions : TVA et marge", "Écran : inclinable"],
                    facts=[f"Son affichage de {digits} chiffres convient aux calculs de comptabilité."],
                    tags=["fournitures", "calcul"], price=r.choice((12.9, 18.9, 26.0)), grams=r.choice((180, 260)))
    return cat.assemble(spec, "FO")


PHONES = ["iPhone 15", "iPhone 14", "iPhone 13", "Galaxy S24", "Galaxy S23", "Galaxy A54", "Pixel 8", "Pixel 7a"]


def telephonie(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    kind = r.randrange(4)
    if kind == 0:
        models = r.sample(PHONES, k=r.randint(3, 5))
        spec = Spec(family="telephonie", type="Téléphonie", name="Coque renforcée antichoc", gender="f",
                    title_specs=r.choice(("transparente", "noire mate", "avec béquille")),
                    features=["Matière : TPU et polycarbonate", f"Hauteur de chute testée : {r.choice((2, 3))} m",
                              "Bords : surélevés", "Recharge sans fil : compatible", "Épaisseur : 1,5 mm"],
                    facts=["Les coins renforcés absorbent les chocs des chutes accidentelles."],
                    tags=["telephonie", "coque", "smartphone"], price=r.choice((12.9, 16.9, 19.9)), grams=40,
                    options=[("Modèle", models)])
    elif kind == 1:
        watts = r.choice((20, 30, 45, 65))
        spec = Spec(family="telephonie", type="Téléphonie", name="Chargeur secteur USB-C", gender="m",
                    title_specs=f"{watts} W charge rapide",
                    features=[f"Puissance : {watts} W", "Ports : USB-C", "Protocole : Power Delivery",
                              "Protection : surtension et surchauffe", f"Dimensions : {r.randint(3, 5)} cm de côté"],
                    facts=[f"Ses {watts} W rechargent aussi bien un smartphone qu'une tablette."],
                    tags=["telephonie", "chargeur", "usb-c"], price=r.choice((14.9, 19.9, 29.9)), grams=90)
    elif kind == 2:
        length = r.choice((1, 2, 3))
        spec = Spec(family="telephonie", type="Téléphonie", name="Câble USB-C tressé", gender="m",
                    title_specs=f"{length} m 60 W",
                    features=[f"Longueur : {length} m", "Puissance : 60 W", "Gaine : nylon tressé",
                              "Transfert : 480 Mbit/s", f"Courbures testées : {r.choice((10000, 20000))}"],
                    facts=[f"Sa longueur de {length} m laisse le téléphone utilisable pendant la charge."],
                    tags=["telephonie", "cable", "usb-c"], price=r.choice((7.9, 9.9, 12.9)), grams=30 * length,
                    options=[("Couleur", ["Noir", "Blanc", "Gris"])] if variants else [])
    else:
        spec = Spec(family="telephonie", type="Téléphonie", name="Support téléphone pour véhicule", gender="m",
                    title_specs=r.choice(("magnétique grille d'aération", "à pince tableau de bord")),
                    features=["Rotation : 360 degrés", "Fixation : sans outil", "Smartphones : 4,7 à 6,9 pouces",
                              "Maintien : aimants néodyme", "Matière : aluminium et silicone"],
                    facts=["Il garde le téléphone dans le champ de vision pour suivre le guidage."],
                    tags=["telephonie", "vehicule", "support"], price=r.choice((11.9, 15.9, 22.9)), grams=110)
    return cat.assemble(spec, "TL")


def cuisine(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    if r.random() < 0.5:
        name, gender = r.choice((("Casserole inox professionnelle", "f"), ("Sauteuse inox à fond épais", "f"),
                                 ("Poêle en acier noir", "f"), ("Marmite inox avec couvercle", "f")))
        thickness = r.choice((3, 5, 7))
        diameters = ["20 cm", "24 cm", "28 cm"] if variants else [r.choice(("20 cm", "24 cm", "28 cm", "32 cm"))]
        spec = Spec(family="cuisine", type="Matériel de cuisson et de pâtisserie", name=name, gender=gender,
                    title_specs=f"fond {thickness} mm" + ("" if variants else f" diamètre {diameters[0]}"),
                    features=[f"Épaisseur du fond : {thickness} mm", "Matière : inox 18/10",
                              "Compatible induction : oui", "Poignée : rivetée", "Passe au four : oui"],
                    facts=[f"Le fond de {thickness} mm garde la chaleur pendant tout le service."],
                    tags=["cuisine", "cuisson", "inox"], price=r.choice((29.9, 42.0, 59.0, 79.0)), grams=1600,
                    options=[("Diamètre", diameters)] if variants else [],
                    price_steps={"24 cm": 8.0, "28 cm": 16.0})
    else:
        name, gender = r.choice((("Couteau de chef", "m"), ("Planche à découper", "f"), ("Spatule coudée", "f"),
                                 ("Louche inox", "f"), ("Fouet de cuisine", "m")))
        size = r.choice((20, 25, 30, 40))
        spec = Spec(family="cuisine", type="Ustensiles et accessoires de cuisine", name=name, gender=gender,
                    title_specs=f"{size} cm usage professionnel",
                    features=[f"Longueur : {size} cm", f"Matière : {r.choice(('inox', 'polyéthylène', 'acier X50'))}",
                              "Lave-vaisselle : oui", "Contact alimentaire : certifié",
                              f"Manche : {r.choice(('antidérapant', 'ergonomique', 'riveté'))}"],
                    facts=[f"Avec ses {size} cm, il s'adapte aux gros volumes de préparation."],
                    tags=["cuisine", "ustensile", "restauration"], price=r.choice((9.9, 19.9, 34.9, 49.0)),
                    grams=r.choice((150, 300, 900)),
                    options=[("Couleur", ["Blanc", "Rouge", "Vert", "Bleu", "Jaune"])] if variants else [])
    return cat.assemble(spec, "CU")


def jardin(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    if r.random() < 0.5:
        name, gender = r.choice((("Tuyau d'arrosage renforcé", "m"), ("Enrouleur de tuyau mural", "m"),
                                 ("Pistolet d'arrosage multijet", "m")))
        diam = r.choice((15, 19, 25))
        spec = Spec(family="jardin", type="Arrosage et irrigation", name=name, gender=gender,
                    title_specs=f"diamètre {diam} mm",
                    features=[f"Diamètre intérieur : {diam} mm", "Couches : 4", "Anti-torsion : oui",
                              f"Pression d'éclatement : {r.choice((20, 24, 30))} bars", "Raccords : fournis"],
                    facts=[f"Son diamètre de {diam} mm assure un bon débit jusqu'au bout du terrain."],
                    tags=["jardin", "arrosage"], price=r.choice((24.9, 39.9, 59.0)), grams=3200,
                    options=[("Longueur", ["15 m", "25 m", "50 m"])] if variants else [],
                    price_steps={"25 m": 12.0, "50 m": 30.0})
    else:
        name, gender = r.choice((("Sécateur professionnel", "m"), ("Cisaille à haies", "f"),
                                 ("Bêche de jardinier", "f"), ("Râteau à feuilles", "m"),
                                 ("Coupe-branches télescopique", "m")))
        cut = r.choice((20, 25, 30, 45))
        spec = Spec(family="jardin", type="Jardinage", name=name, gender=gender, title_specs=f"coupe {cut} mm",
                    features=[f"Capacité de coupe : {cut} mm", "Lame : acier trempé", "Poignées : bi-matière",
                              f"Longueur : {r.randint(20, 90)} cm", "Pièces détachées : disponibles"],
                    facts=[f"Sa capacité de {cut} mm vient à bout des branches vertes et du bois sec."],
                    tags=["jardin", "taille"], price=r.choice((19.9, 29.9, 44.9, 64.9)),
                    grams=r.choice((250, 900, 1800)))
    return cat.assemble(spec, "JA")


def cosmetique(cat: Catalog, variants: bool) -> Product:
    r = cat.rng
    name, gender = r.choice((("Crème mains réparatrice", "f"), ("Savon d'atelier microbilles", "m"),
                             ("Gel lavant mains et corps", "m"), ("Baume protecteur pour les mains", "m")))
    active, with_active = r.choice((("glycérine", "à la glycérine"), ("beurre de karité", "au beurre de karité"),
                                    ("huile d'amande douce", "à l'huile d'amande douce"),
                                    ("allantoïne", "à l'allantoïne"), ("aloe vera", "à l'aloe vera"),
                                    ("cire d'abeille", "à la cire d'abeille")))
    spec = Spec(family="cosmetique", type="Cosmétiques", name=name, gender=gender, title_specs=with_active,
                features=[f"Actif principal : {active}", "Parfum : sans", f"pH : {r.choice(('5,5', '6', '7'))}",
                          "Origine naturelle : 95 pour cent", "Format : flacon pompe"],
                facts=[f"Enrichie en {active}, la formule protège la peau des lavages répétés."],
                tags=["hygiene", "soin", "mains"], price=r.choice((4.9, 7.9, 12.9, 19.9)), grams=300,
                options=[("Contenance", ["100 ml", "250 ml", "500 ml"])] if variants else [],
                price_steps={"250 ml": 3.0, "500 ml": 7.0})
    return cat.assemble(spec, "CO")


# (archetype, weight, chance of variants)
ARCHETYPES: tuple[tuple[Archetype, int, float], ...] = (
    (perceuse, 8, 0.4), (visseuse, 6, 0.3), (scie, 4, 0.3), (haut, 3, 1.0), (veste, 2, 1.0), (pantalon, 1, 1.0),
    (chaussures, 1, 1.0), (gants, 5, 0.3), (protection, 5, 0.3), (siege, 5, 0.3), (bureau, 1, 1.0),
    (ampoule, 7, 0.3), (projecteur, 6, 0.0), (lampe, 6, 0.3), (fourniture, 12, 0.15), (telephonie, 10, 0.3),
    (cuisine, 9, 0.25), (jardin, 8, 0.25), (cosmetique, 7, 0.3),
)
SINGLE_ONLY: tuple[Archetype, ...] = (perceuse, visseuse, scie, gants, protection, siege, ampoule, projecteur, lampe,
                                      fourniture, cuisine, jardin)


def random_product(cat: Catalog, max_rows: int) -> Product:
    for _ in range(50):
        build, _, chance = cat.rng.choices(ARCHETYPES, weights=[w for _, w, _ in ARCHETYPES])[0]
        product = cat.make(build, cat.rng.random() < chance)
        if len(product.variants) <= 100 and len(product.rows()) <= max_rows:
            return product
    return single_product(cat, 1)


def single_product(cat: Catalog, rows: int) -> Product:
    """A one-variant product taking exactly `rows` rows (1 to 4)."""
    build = cat.rng.choice(SINGLE_ONLY)
    product = cat.make(build, False)
    product.set_image_count(rows)
    return product


def fill(cat: Catalog, products: list[Product], target: int) -> None:
    """Append good products until the rows add up to exactly `target`."""
    used = sum(len(p.rows()) for p in products)
    while target - used > 12:
        product = random_product(cat, target - used - 4)
        products.append(product)
        used += len(product.rows())
    while used < target:
        rows = min(target - used, cat.rng.randint(1, 3))
        products.append(single_product(cat, rows))
        used += rows


# ---------------------------------------------------------------------------
# The example file: good products and the usual mistakes
# ---------------------------------------------------------------------------


ENGLISH_BODY = (
    "<p>This cordless drill driver is built for daily use on building sites and in workshops. The brushless "
    "motor delivers steady power and a long service life, while the compact head reaches tight corners "
    "between studs and under sinks.</p><ul><li>Voltage: 18 V</li><li>Maximum torque: 60 Nm</li>"
    "<li>Keyless chuck: 13 mm</li></ul><p>The two-speed gearbox lets you switch from fast drilling to "
    "precise screwdriving in a second, and the LED work light shows exactly where the bit goes. Each kit "
    "ships in a rugged case with a fast charger, so your team can start working as soon as the parcel "
    "arrives. Batteries from the same range fit every tool of the family, which keeps your fleet simple "
    "and saves money on spares.</p>"
)


def mojibake(text: str) -> str:
    return text.encode("utf-8").decode("cp1252")


@dataclass
class Plant:
    codes: list[str]
    build: Archetype
    variants: bool
    mutate: Callable[[Product, Catalog], None]


def _first(p: Product) -> Variant:
    return p.variants[0]


def _set(**cells: str) -> Callable[[Product, Catalog], None]:
    def mutate(p: Product, cat: Catalog) -> None:
        for key, value in cells.items():
            setattr(p, key, value)
    return mutate


def _variant(**cells: str) -> Callable[[Product, Catalog], None]:
    def mutate(p: Product, cat: Catalog) -> None:
        for key, value in cells.items():
            setattr(_first(p), key, value)
    return mutate


def _title(new: Callable[[Product], str]) -> Callable[[Product, Catalog], None]:
    def mutate(p: Product, cat: Catalog) -> None:
        p.title = new(p)
    return mutate


def _body(new: Callable[[Product], str]) -> Callable[[Product, Catalog], None]:
    def mutate(p: Product, cat: Catalog) -> None:
        p.body = new(p)
    return mutate


def _append_sentence(sentence: str) -> Callable[[Product, Catalog], None]:
    return _body(lambda p: p.body[: p.body.rfind("</p>")] + " " + sentence + "</p>")


def _image(url: Callable[[Product], str]) -> Callable[[Product, Catalog], None]:
    def mutate(p: Product, cat: Catalog) -> None:
        p.images[0] = (url(p), p.images[0][1])
    return mutate


def _no_image(p: Product, cat: Catalog) -> None:
    p.images = []
    for v in p.variants:
        v.image = ""


def _sku_missing(p: Product, cat: Catalog) -> None:
    for v in p.variants[1:3]:
        v.sku = ""


def _sku_duplicate(p: Product, cat: Catalog) -> None:
    p.variants[1].sku = p.variants[0].sku


def _variant_twice(p: Product, cat: Catalog) -> None:
    copy = Variant(**{**p.variants[0].__dict__, "sku": p.variants[0].sku + "-B", "barcode": cat.barcode()})
    p.variants.append(copy)


def _option_value_missing(p: Product, cat: Catalog) -> None:
    last = p.variants[-1]
    last.values = (last.values[0], "")


def _compare_below(p: Product, cat: Catalog) -> None:
    _first(p).compare_at = money(float(_first(p).price) * 0.8)


def _bad_barcode(p: Product, cat: Catalog) -> None:
    good = cat.barcode()
    _first(p).barcode = good[:-1] + str((int(good[-1]) + 3) % 10)


def _tags(new: Callable[[Product], str]) -> Callable[[Product, Catalog], None]:
    def mutate(p: Product, cat: Catalog) -> None:
        p.tags = new(p)
    return mutate


def _type(type_: str) -> Callable[[Product, Catalog], None]:
    def mutate(p: Product, cat: Catalog) -> None:
        p.type = type_
        p.tags = ",".join([type_, *[t for t in p.tags.split(",") if t != p.type and t != type_]][:4])
    return mutate


def _retype(type_: str) -> Callable[[Product, Catalog], None]:
    def mutate(p: Product, cat: Catalog) -> None:
        old = p.type
        p.type = type_
        p.tags = ",".join(type_ if t == old else t for t in p.tags.split(","))
    return mutate


def _handle(new: str) -> Callable[[Product, Catalog], None]:
    def mutate(p: Product, cat: Catalog) -> None:
        p.handle = new
    return mutate


def _long_title(p: Product) -> str:
    extra = (" pour artisans menuisiers électriciens plombiers et plaquistes, livrée en coffret rigide avec "
             "chargeur rapide, embouts de vissage et forets bois métal béton")
    return (p.title + extra)[:190].rsplit(" ", 1)[0]


def _very_long_title(p: Product) -> str:
    words = ("perceuse visseuse sans fil professionnelle brushless 18V lithium 2 batteries 4 Ah chargeur "
             "rapide coffret rigide mandrin métal 13 mm éclairage LED ceinture embouts forets bois métal "
             "béton idéale artisan menuisier électricien plombier plaquiste chantier atelier maison garage "
             "bricolage rénovation maintenance industrielle qualité garantie deux ans livraison rapide")
    return p.title + " " + words


PLANTS: tuple[Plant, ...] = (
    Plant(["structure.collection_not_empty"], perceuse, False, _set(collection="Outillage")),
    Plant(["field.required"], lampe, False, _variant(price="")),
    Plant(["handle.format"], visseuse, False, _handle("Visseuse_A_Chocs 18V")),
    Plant(["title.too_long"], perceuse, False, _title(_long_title)),
    Plant(["title.too_long"], perceuse, False, _title(_very_long_title)),
    Plant(["seo.title_caps"], perceuse, False, _title(lambda p: p.title.upper())),
    Plant(["seo.title_symbols"], lampe, False,
          _title(lambda p: p.title + " - offre spéciale -30% !! prix choc 29€ ***")),
    Plant(["seo.description_short"], fourniture, False,
          _body(lambda p: "<p>" + html_text(p.body)[:180].rsplit(" ", 1)[0] + ".</p>")),
    Plant(["seo.description_punctuation"], ampoule, False, _body(lambda p: p.body + "<p>Garantie deux ans</p>")),
    Plant(["seo.meta_title_long"], jardin, False,
          _set(seo_title="Sécateur et outils de jardin professionnels en promotion toute l'année chez nous")),
    Plant(["seo.meta_description_long"], cuisine, False,
          _set(seo_description="Ustensile de cuisine professionnel en inox, idéal pour les restaurants, les "
                               "traiteurs et les cantines : solide, facile à nettoyer, compatible lave-vaisselle "
                               "et garanti deux ans contre tout défaut.")),
    Plant(["description.image"], projecteur, False,
          _body(lambda p: p.body + f'<p><img src="{p.image_url(9)}" alt="schéma de montage"></p>')),
    Plant(["description.unsafe_html"], cosmetique, False,
          _body(lambda p: p.body + "<script>window.dataLayer = window.dataLayer || [];</script>")),
    Plant(["contact.email"], siege, False,
          _append_sentence("Pour un devis sur mesure, écrivez à commercial@atelier-dupont.fr.")),
    Plant(["contact.email"], bureau, True,
          _append_sentence("Demandez les plans par mail : devis (at) atelier-dupont (dot) fr.")),
    Plant(["contact.phone"], scie, False,
          _append_sentence("Notre service technique répond au 06 12 34 56 78 du lundi au vendredi.")),
    Plant(["contact.phone"], telephonie, False,
          _set(policy="Retours : appelez le +33 4 78 12 34 56 avant tout envoi.")),
    Plant(["contact.url"], visseuse, False,
          _append_sentence("Fiche technique complète sur www.atelier-dupont.fr dans la rubrique outillage.")),
    Plant(["contact.url"], gants, False,
          _append_sentence('Voir le <a href="https://atelier-dupont.fr/gants">guide des tailles</a>.')),
    Plant(["text.invisible_chars"], ampoule, False,
          _title(lambda p: p.title.replace(" ", "\u200b ", 1).replace("LED", "LED\u00a0\u200b", 1))),
    Plant(["text.mojibake"], cuisine, False, _body(lambda p: mojibake(p.body))),
    Plant(["language.not_french"], perceuse, False, _body(lambda p: ENGLISH_BODY)),
    Plant(["taxonomy.type_unknown"], perceuse, False, _type("Outillage électroportatif")),
    Plant(["taxonomy.type_unknown"], perceuse, False, _retype("perceuses")),
    Plant(["taxonomy.type_not_leaf"], visseuse, False, _retype("Outils")),
    Plant(["taxonomy.type_too_deep"], telephonie, False, _retype("Housses pour téléphones mobiles")),
    Plant(["taxonomy.tag_mismatch"], perceuse, False,
          _tags(lambda p: ",".join(t for t in p.tags.split(",") if t != p.type) + ",perceuse-visseuse")),
    Plant(["tags.format"], scie, False,
          _tags(lambda p: ", ".join([p.type, *[t for t in p.tags.split(",") if t != p.type]]) + ",,")),
    Plant(["price.format"], perceuse, False, _variant(price="49,90")),
    Plant(["price.not_positive"], fourniture, False, _variant(price="0.00", compare_at="")),
    Plant(["price.compare_at"], siege, False, _compare_below),
    Plant(["price.currency"], lampe, False, _set(currency="EURO")),
    Plant(["quantity.invalid"], cuisine, False, _variant(qty="-4")),
    Plant(["quantity.minimum"], fourniture, False, _variant(minimum="0")),
    Plant(["weight.invalid"], perceuse, False, _variant(grams="1,3 kg")),
    Plant(["boolean.invalid"], jardin, False, _variant(taxable="oui")),
    Plant(["inventory_policy.invalid"], projecteur, False, _variant(policy="stop")),
    Plant(["barcode.invalid"], ampoule, False, _bad_barcode),
    Plant(["country.invalid"], cosmetique, False, _set(country="France")),
    Plant(["sku.missing"], gants, True, _sku_missing),
    Plant(["sku.duplicate"], haut, True, _sku_duplicate),
    Plant(["variants.duplicate"], veste, True, _variant_twice),
    Plant(["variants.options_inconsistent"], pantalon, True, _option_value_missing),
    Plant(["image.missing"], protection, False, _no_image),
    Plant(["image.url"], scie, False, _image(lambda p: "C:\\Users\\Atelier\\Photos\\" + p.handle + ".jpg")),
    Plant(["image.not_https"], jardin, False, _image(lambda p: p.images[0][0].replace("https://", "http://", 1))),
    Plant(["image.host_not_allowed"], lampe, False,
          _image(lambda p: "https://drive.google.com/file/d/1Xy7pQmZ3kLr9vTtB2nWc4sDfGh6JkL0a/view?usp=sharing")),
    Plant(["image.host_not_allowed"], protection, False,
          _image(lambda p: f"https://www.dropbox.com/s/k3j9x2mq7w1z0ab/{p.handle}.jpg?dl=0")),
    Plant(["image.extension"], cuisine, False, _image(lambda p: p.images[0][0].rsplit(".", 1)[0] + ".webp")),
    Plant(["video.url"], visseuse, False, _set(video="https://www.dailymotion.com/video/x8k2j4p")),
)

# Defects only a check that downloads the pictures sees (the demo serves them).
ONLINE_PLANTS: tuple[tuple[str, Archetype], ...] = (
    ("image.too_small", ampoule), ("image.format", projecteur), ("image.download_failed", jardin),
)


ONLINE_KINDS = {"image.too_small": "tiny", "image.format": "gif", "image.download_failed": "missing"}


def rehandle(p: Product, handle: str) -> None:
    """Give `p` another Handle, its picture names with it."""
    old = f"/produits/{p.handle}-"
    new = f"/produits/{handle}-"
    p.images = [(url.replace(old, new), alt) for url, alt in p.images]
    for v in p.variants:
        v.image = v.image.replace(old, new)
    p.handle = handle


def near_copy(p: Product, cat: Catalog, twin: Product) -> None:
    """Turn `p` into a near copy of `twin`: the same texts with a detail changed."""
    p.title = twin.title.replace(twin.model, twin.model + "-B")
    p.body = twin.body.replace("<ul>", "<ul><li>Conditionnement : à l'unité</li>", 1)
    p.type, p.tags = twin.type, twin.tags
    rehandle(p, twin.handle + "-b")


def exact_copy(p: Product, cat: Catalog, twin: Product) -> None:
    """Turn `p` into the same product as `twin` sent again under another Handle."""
    p.title, p.body, p.type, p.tags = twin.title, twin.body, twin.type, twin.tags
    rehandle(p, twin.handle + "-copie")


def build_example(image_base: str) -> tuple[list[dict[str, str]], dict[str, object], dict[str, str]]:
    """The example file's rows, what is planted where, and the demo pictures that must be special."""
    cat = Catalog(SEED_EXAMPLE, image_base, "ADX", "3770")
    planted: dict[str, list[str]] = {}
    online: dict[str, list[str]] = {}
    specials: dict[str, str] = {}
    related: dict[str, str] = {}
    defects: list[Product] = []
    for plant in PLANTS:
        product = cat.make(plant.build, plant.variants)
        plant.mutate(product, cat)
        planted[product.handle] = list(plant.codes)
        defects.append(product)
    for code, build in ONLINE_PLANTS:
        product = cat.make(build, False)
        product.set_image_count(1)
        specials[product.images[0][0].rsplit("/", 1)[-1]] = ONLINE_KINDS[code]
        online[product.handle] = [code]
        defects.append(product)
    for code, copy in (("duplicate.exact", exact_copy), ("duplicate.near", near_copy)):
        build = cat.rng.choice((perceuse, lampe, cuisine, fourniture))
        twin = cat.make(build, False)
        product = cat.make(build, False)
        copy(product, cat, twin)
        planted[product.handle] = [code]
        related[twin.handle] = product.handle
        defects.extend((twin, product))
    split = cat.make(haut, True)
    planted[split.handle] = ["structure.variants_split"]

    goods: list[Product] = []
    fill(cat, goods, FULL_MAX_ROWS - sum(len(p.rows()) for p in [*defects, split]))
    # Spread the planted products through the file, good ones in between.
    order: list[Product] = []
    step = max(1, len(goods) // (len(defects) + 1))
    pending = list(defects)
    for i, good in enumerate(goods):
        order.append(good)
        if i % step == step - 1 and pending:
            order.append(pending.pop(0))
    order.extend(pending)
    rows: list[dict[str, str]] = []
    middle = goods[len(goods) // 2]
    for product in order:
        if product is middle:
            # A good product dropped between the variants of another one.
            own = split.rows()
            cut = len(split.variants) // 2
            rows.extend([*own[:cut], *middle.rows(), *own[cut:]])
        else:
            rows.extend(product.rows())
    handles = [p.handle for p in [*order, split]]
    expected: dict[str, object] = {
        "file": "catalogue-exemple.csv",
        "seller": "atelier-dupont",
        "rows": len(rows),
        "planted": dict(sorted(planted.items())),
        "planted_online": dict(sorted(online.items())),
        "duplicate_originals": dict(sorted(related.items())),
        "clean": sorted(h for h in handles if h not in planted and h not in online and h not in related),
    }
    return rows, expected, specials


# ---------------------------------------------------------------------------
# Sellers, template and writing
# ---------------------------------------------------------------------------

SELLERS_YAML = """\
# Sellers of the sample files (interfaces.md, "Sellers file").
# Load with: catalog sellers load samples/sellers.yaml
sellers:
  - id: atelier-dupont
    name: Atelier Dupont SARL
    email: vendeur@atelier-dupont.example
    cc: [compta@atelier-dupont.example, logistique@atelier-dupont.example]
    vat_number: FR40303265045
    default_shipping: Colissimo
    currency: EUR
    fx_rates: {USD: 0.92, GBP: 1.17}
    price_rule: {direction: increase, kind: percent, amount: 10}
    in_stock_default_qty: 10

  - id: lumiere-bureau
    name: Lumière et Bureau SAS
    email: catalogue@lumiere-bureau.example
    cc: []
    vat_number: FR44732829320
    default_shipping: DPD Predict
    currency: EUR
    in_stock_default_qty: 5

  # Not ready: no VAT number and no default shipping method (seller.not_ready).
  - id: quincaillerie-martin
    name: Quincaillerie Martin
    email: contact@quincaillerie-martin.example
    currency: EUR
"""


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=LINE_END)
    writer.writerow(FULL_COLUMNS)
    for row in rows:
        writer.writerow([row[column] for column in FULL_COLUMNS])
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def image_names(rows: list[dict[str, str]], image_base: str) -> list[tuple[str, str]]:
    prefix = image_base.rstrip("/") + "/produits/"
    names: list[tuple[str, str]] = []
    for row in rows:
        for column in ("Image Src", "Variant Image"):
            url = row[column]
            if url.startswith(prefix):
                names.append((row["Handle"], url[len(prefix):]))
    return names


def build_valid(image_base: str) -> list[Product]:
    cat = Catalog(SEED_VALID, image_base, "AD", "3760")
    # One of each archetype, with variants where it has them, then a random mix.
    products = [cat.make(build, chance > 0) for build, _, chance in ARCHETYPES]
    cat.rng.shuffle(products)
    fill(cat, products, FULL_MAX_ROWS)
    return products


FEED_OPTIONS = {"Couleur": "g:color", "Taille": "g:size", "Matière": "g:material", "Motif": "g:pattern"}
FEED_PRODUCTS = 30
FEED_SHOP = "https://www.lumiere-bureau.example"


def feed_item(product: Product, variant: Variant, grouped: bool) -> str:
    """One Google Merchant item of a sample product's variant."""
    from xml.sax.saxutils import escape

    fields = [("g:id", variant.sku), ("g:title", product.title), ("g:description", product.body),
              ("g:link", f"{FEED_SHOP}/produits/{product.handle}"),
              ("g:image_link", variant.image or product.images[0][0])]
    fields += [("g:additional_image_link", url) for url, _ in product.images[1:4]]
    fields += [("g:price", f"{variant.price} EUR"), ("g:availability", "in_stock" if int(variant.qty) else
                                                      "out_of_stock"),
               ("g:quantity", variant.qty), ("g:product_type", product.type)]
    if variant.barcode:
        fields.append(("g:gtin", variant.barcode))
    if grouped:
        fields.append(("g:item_group_id", product.handle))
        fields += [(FEED_OPTIONS[name], value) for name, value in zip(product.option_names, variant.values,
                                                                      strict=False)]
    return "    <item>\n" + "".join(f"      <{k}>{escape(v)}</{k}>\n" for k, v in fields if v) + "    </item>\n"


def write_feed(path: Path, products: list[Product]) -> None:
    """The sample Google Merchant RSS feed: products whose options a feed can carry, in their order."""
    fit = [p for p in products if p.images and (p.option_names == ("Title",) or
                                                set(p.option_names) <= set(FEED_OPTIONS))][:FEED_PRODUCTS]
    items = [feed_item(p, v, p.option_names != ("Title",)) for p in fit for v in p.variants]
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">\n  <channel>\n'
        "    <title>Lumière et Bureau</title>\n"
        f"    <link>{FEED_SHOP}</link>\n"
        "    <description>Catalogue professionnel</description>\n" + "".join(items) + "  </channel>\n</rss>\n",
        encoding="utf-8", newline="\n")


def generate(out: Path, image_base: str = DEFAULT_IMAGE_BASE, images: Path | None = None) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = {name: out / name for name in (
        "template.csv", "catalogue-valide.csv", "catalogue-exemple.csv", "catalogue-exemple.expected.json",
        "sellers.yaml", "flux-exemple.xml")}
    write_csv(written["template.csv"], [])
    valid = build_valid(image_base)
    valid_rows = [row for product in valid for row in product.rows()]
    write_csv(written["catalogue-valide.csv"], valid_rows)
    write_feed(written["flux-exemple.xml"], valid[-FEED_PRODUCTS * 2:])
    example, expected, specials = build_example(image_base)
    write_csv(written["catalogue-exemple.csv"], example)
    written["catalogue-exemple.expected.json"].write_text(
        json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    written["sellers.yaml"].write_text(SELLERS_YAML, encoding="utf-8")
    if images is not None:
        wanted = [pair for pair in image_names(valid_rows + example, image_base)
                  if specials.get(pair[1]) != "missing"]
        make_demo_images(images, wanted, {k: v for k, v in specials.items() if v != "missing"})
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the sample files of the full product CSV.")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: samples/)")
    parser.add_argument("--image-base", default=DEFAULT_IMAGE_BASE,
                        help=f"https address the product pictures live under (default: {DEFAULT_IMAGE_BASE})")
    parser.add_argument("--images", type=Path, default=None,
                        help="also write a demo picture for every image URL into this folder")
    args = parser.parse_args(argv)
    written = generate(args.out, args.image_base, args.images)
    for path in written.values():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
