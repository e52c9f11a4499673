"""The rule catalog: every check the pipeline makes, with its stable code.

Each rule is declared once here, with its severity, a title, the message a
seller reads (French first, English beside it) and how to fix it. Messages are
templates: the placeholders are filled by the check that raises the issue.
Codes never change meaning once published; a new check gets a new code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalog.domain.issues import Issue, Severity, Text
from catalog.domain.location import Location

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: Severity
    scope: str  # file, product, bulk or feed
    title: str
    message: Text
    fix: Text
    description: str = ""
    templates: tuple[Text, Text] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "templates", (self.message, self.fix))

    def issue(
        self,
        *,
        at: Location | None = None,
        row: int | None = None,
        column: str | None = None,
        product: str | None = None,
        item: str | None = None,
        value: str | None = None,
        suggestions: tuple[str, ...] | list[str] = (),
        severity: Severity | None = None,
        **params: Any,
    ) -> Issue:
        """The issue of this rule at `at` (or at `row`, `column`, `item` for a finding built in place)."""
        if at is None:
            at = Location(row, column, item)
        params.setdefault("column", at.column or "")
        params.setdefault("value", value or "")
        return Issue(
            code=self.code,
            severity=severity or self.severity,
            templates=self.templates,
            params=tuple(params.items()),
            location=at,
            product=product,
            value=value,
            suggestions=tuple(suggestions),
        )


def _r(code: str, sev: Severity, scope: str, title: str, msg: tuple[str, str],
       fix: tuple[str, str], description: str = "") -> Rule:
    return Rule(code, sev, scope, title, Text(*msg), Text(*fix), description)


_RULES: tuple[Rule, ...] = (
    # ---- File -------------------------------------------------------------
    _r("file.empty", E, "file", "Empty file",
       ("Le fichier est vide ou ne contient que la ligne d'en-tête.",
        "The file is empty or holds only the header row."),
       ("Ajoutez au moins un produit sous la ligne d'en-tête du modèle.",
        "Add at least one product below the template's header row.")),
    _r("file.too_large", E, "file", "File too large",
       ("Le fichier fait {size} ; la taille maximale est de {limit}.",
        "The file size is {size_en}; the maximum is {limit_en}."),
       ("Découpez-le en plusieurs fichiers de 500 lignes au plus, sans séparer les variantes d'un même produit.",
        "Split it into several files of at most 500 rows, keeping each product's variants together.")),
    _r("file.not_csv", E, "file", "Not a CSV file",
       ("Ce fichier n'est pas un CSV : {what}.",
        "This file is not a CSV: {what_en}."),
       ("Exportez un CSV : Google Sheets, Fichier > Télécharger > « Valeurs séparées par des virgules (.csv) » "
        "(toujours UTF-8 et virgules) ; Excel, Fichier > Enregistrer sous > « CSV UTF-8 (délimité par des "
        "virgules) » (en France, Excel y met des points-virgules : nous vous renverrons alors une copie "
        "convertie, prête à renvoyer).",
        "Export a CSV: Google Sheets, File > Download > \"Comma-separated values (.csv)\" (always UTF-8 and "
        "commas); Excel, File > Save as > \"CSV UTF-8 (comma delimited)\" (in France Excel writes semicolons "
        "there: we then send you back a converted copy, ready to send again).")),
    _r("encoding.not_utf8", E, "file", "Not UTF-8",
       ("Le fichier n'est pas encodé en UTF-8 (encodage détecté : {encoding}) ; le premier caractère illisible "
        "est à la ligne {bad_row}.",
        "The file is not encoded in UTF-8 (detected encoding: {encoding}); the first unreadable character is on "
        "row {bad_row}."),
       ("Renvoyez la copie convertie en UTF-8 jointe au rapport, ou enregistrez de nouveau le fichier en UTF-8 : "
        "Excel, Enregistrer sous > « CSV UTF-8 (délimité par des virgules) » (et non « CSV (séparateur : "
        "point-virgule) ») ; LibreOffice, « Texte CSV » avec « Éditer les paramètres du filtre » et le jeu de "
        "caractères « Unicode (UTF-8) » ; Google Sheets exporte toujours en UTF-8.",
        "Send back the copy converted to UTF-8 attached to the report, or save the file again as UTF-8: Excel, "
        "Save as > \"CSV UTF-8 (comma delimited)\" (not \"CSV (semicolon delimited)\"); LibreOffice, \"Text "
        "CSV\" with \"Edit filter settings\" and the \"Unicode (UTF-8)\" character set; Google Sheets always "
        "exports UTF-8.")),
    _r("structure.delimiter", E, "file", "Wrong separator",
       ("Les colonnes sont séparées par {found} au lieu de virgules.",
        "Columns are separated by {found_en} instead of commas."),
       ("Renvoyez la copie convertie (virgules, UTF-8) jointe au rapport. Attention : l'Excel français sépare "
        "par des points-virgules même avec « CSV UTF-8 (délimité par des virgules) », car il suit le séparateur "
        "de liste des paramètres régionaux. Google Sheets (Fichier > Télécharger > CSV) met toujours des "
        "virgules ; LibreOffice aussi avec « Éditer les paramètres du filtre » et le séparateur de champ « , ».",
        "Send back the converted copy (commas, UTF-8) attached to the report. Note: French Excel separates with "
        "semicolons even with \"CSV UTF-8 (comma delimited)\", as it follows the regional settings' list "
        "separator. Google Sheets (File > Download > CSV) always writes commas; so does LibreOffice with \"Edit "
        "filter settings\" and \",\" as the field delimiter.")),
    _r("structure.columns", E, "file", "Columns differ from the template",
       ("Les colonnes ne correspondent pas au modèle : en position {position}, la colonne attendue est "
        "« {expected} », le fichier contient « {found} ».",
        "The columns differ from the template: at position {position}, the expected column is \"{expected}\", "
        "the file has \"{found}\"."),
       ("Repartez du modèle : gardez exactement ses {count} colonnes, dans le même ordre, sans en ajouter, "
        "en renommer ni en déplacer.",
        "Start from the template: keep exactly its {count} columns, in the same order, without adding, renaming "
        "or moving any.")),
    _r("structure.header_slip", E, "file", "Column names with a case or space slip",
       ("{names_fr} du modèle seulement par les majuscules ou des espaces : {slips}.",
        "{names_en} from the template only by capitals or spaces: {slips}."),
       ("Écrivez chaque nom exactement comme le modèle (mêmes majuscules, sans espace avant ni après), ou "
        "renvoyez la copie convertie jointe au rapport, qui reprend les noms du modèle.",
        "Write each name exactly as the template does (same capitals, no space before or after), or send back "
        "the converted copy attached to the report, which uses the template's names.")),
    _r("structure.blank_header", E, "file", "Empty column name",
       ("La colonne {position} n'a pas de nom (souvent des colonnes vides en fin de tableau).",
        "Column {position} has no name (often empty columns at the end of the sheet)."),
       ("Supprimez les colonnes vides à droite du tableau avant d'enregistrer.",
        "Delete the empty columns on the right of the sheet before saving.")),
    _r("structure.duplicate_header", E, "file", "Column named twice",
       ("La colonne « {name} » apparaît deux fois (positions {positions}).",
        "Column \"{name}\" appears twice (positions {positions})."),
       ("Ne gardez qu'une colonne de ce nom, à la place prévue par le modèle.",
        "Keep a single column with that name, where the template puts it.")),
    _r("structure.malformed", E, "file", "Unreadable CSV",
       ("Le fichier ne peut pas être lu à partir de la ligne {bad_row} : {reason}.",
        "The file cannot be read from row {bad_row} on: {reason_en}."),
       ("Vérifiez les guillemets de cette ligne (tout guillemet ouvert doit être refermé), puis enregistrez "
        "de nouveau le fichier en CSV UTF-8 depuis votre tableur.",
        "Check the quotes on that row (every opening quote must be closed), then save the file again as CSV UTF-8 "
        "from your spreadsheet.")),
    _r("structure.too_many_rows", E, "file", "Too many rows",
       ("Le fichier contient {rows} lignes de produits ; la limite est de {limit}.",
        "The file holds {rows} product rows; the limit is {limit}."),
       ("Découpez-le en fichiers de {limit} lignes au plus, entre deux produits : {split_hint_fr}.",
        "Split it into files of at most {limit} rows, between two products: {split_hint_en}.")),
    _r("structure.report_columns", INFO, "file", "Report columns ignored",
       ("Le fichier contient encore les colonnes {columns} de notre fichier annoté : elles sont ignorées.",
        "The file still holds the {columns} columns of our annotated file: they are ignored."),
       ("Rien à faire : vous pouvez renvoyer le fichier annoté tel quel, avec ou sans ces colonnes.",
        "Nothing to do: you may send the annotated file back as it is, with or without these columns.")),
    _r("seller.not_ready", E, "file", "Seller account not ready",
       ("Votre compte vendeur n'est pas prêt pour l'import ; il manque : {missing_fr}. Votre fichier n'a pas été "
        "lu ; ce n'est pas lui qui est en cause.",
        "Your seller account is not ready for imports; missing: {missing_en}. Your file was not read; it is not "
        "the problem."),
       ("Complétez votre compte vendeur : {where_fr}. Renvoyez ensuite le même fichier, sans le modifier.",
        "Complete your seller account: {where_en}. Then send the same file again, unchanged.")),
    # ---- Rows and products ------------------------------------------------
    _r("structure.row_length", E, "product", "Wrong number of cells",
       ("Cette ligne a {found} cellules au lieu de {expected}.",
        "This row has {found} cells instead of {expected}."),
       ("Vérifiez les virgules et les guillemets de la ligne : un texte qui contient une virgule doit être entre "
        "guillemets.",
        "Check the row's commas and quotes: a text containing a comma must be within double quotes.")),
    _r("structure.variants_split", E, "product", "Product rows not together",
       ("Les lignes du produit « {handle} » ne se suivent pas (lignes {rows}).",
        "The rows of product \"{handle}\" are not next to each other (rows {rows})."),
       ("Triez le fichier par Handle pour que toutes les lignes d'un produit soient regroupées.",
        "Sort the file by Handle so that all rows of a product stand together.")),
    _r("structure.collection_not_empty", W, "product", "Collection is ignored",
       ("La colonne Collection doit rester vide ; la valeur « {value} » est ignorée.",
        "The Collection column must stay empty; the value \"{value}\" is ignored."),
       ("Laissez Collection vide : la place de marché classe vos produits d'après leur Type.",
        "Leave Collection empty: the marketplace classifies products from their Type.")),
    _r("structure.product_cells_ignored", W, "product", "Product cells on a variant row",
       ("« {column} » diffère de la première ligne du produit (ligne {first_row}) : cette valeur est ignorée, "
        "car sur une ligne de variante seules les colonnes de variante comptent.",
        "\"{column}\" differs from the product's first row (row {first_row}): this value is ignored, as only "
        "variant columns count on a variant row."),
       ("Laissez les colonnes du produit vides sur les lignes de variante, ou recopiez-y la valeur de la "
        "première ligne.",
        "Leave product columns empty on variant rows, or copy the first row's value into them.")),
    _r("field.required", E, "product", "Required cell empty",
       ("La colonne « {column} » est obligatoire mais vide.",
        "Column \"{column}\" is required but empty."),
       ("Renseignez « {column} » sur cette ligne.", "Fill in \"{column}\" on this row.")),
    _r("handle.format", E, "product", "Invalid Handle",
       ("Le Handle « {value} » ne doit contenir que des lettres minuscules, des chiffres et des tirets.",
        "Handle \"{value}\" may hold only lowercase letters, digits and hyphens."),
       ("Utilisez par exemple « {suggestion} ».", "Use for example \"{suggestion}\".")),
    _r("title.too_long", E, "product", "Title too long",
       ("Le titre fait {length} caractères, au-delà de la limite de {limit}.",
        "The title is {length} characters long, over the {limit} limit."),
       ("Au-delà de 150 caractères, le titre est coupé sur les canaux externes (Google Shopping…) ; au-delà "
        "de 255, le produit est refusé. Raccourcissez-le en gardant l'essentiel au début.",
        "Over 150 characters, the title is cut in external channels (Google Shopping…); over 255, the product "
        "is refused. Shorten it and keep the essentials first."),
       "Over 255 characters is an error; over 150 a warning (cut in external channels)."),
    _r("seo.title_caps", W, "product", "Too many capitals in the title",
       ("Le titre contient trop de majuscules ; il ne sera pas diffusé sur les canaux externes.",
        "The title has too many capital letters; it will not be sent to external channels."),
       ("Écrivez le titre en minuscules avec une majuscule initiale (les marques et unités comme 18V restent "
        "en majuscules).",
        "Write the title in lowercase with an initial capital (brands and units such as 18V may stay "
        "uppercase).")),
    _r("seo.title_symbols", W, "product", "Promotional symbols in the title",
       ("Le titre contient des symboles promotionnels : {symbols}.",
        "The title holds promotional symbols: {symbols}."),
       ("Retirez ces symboles du titre ; les promotions se gèrent avec le prix barré.",
        "Remove these symbols from the title; promotions go in the compare-at price.")),
    _r("seo.description_short", W, "product", "Description too short",
       ("La description ne fait que {length} caractères de texte ; nous en recommandons au moins 500.",
        "The description has only {length} characters of text; we recommend at least 500."),
       ("Enrichissez-la : caractéristiques, usages, matériaux, dimensions, entretien.",
        "Enrich it: features, uses, materials, dimensions, care.")),
    _r("seo.description_long", W, "product", "Description too long",
       ("La description fait {length} caractères de texte ; au-delà de 5000, elle est coupée sur les canaux "
        "externes.",
        "The description has {length} characters of text; over 5000, it is cut in external channels."),
       ("Gardez l'essentiel dans les 5000 premiers caractères.", "Keep the essentials within 5000 characters.")),
    _r("seo.description_punctuation", W, "product", "Description without final punctuation",
       ("La description ne se termine pas par un signe de ponctuation.",
        "The description does not end with a punctuation mark."),
       ("Terminez la dernière phrase par un point.", "End the last sentence with a full stop.")),
    _r("seo.meta_title_long", W, "product", "SEO title too long",
       ("Le titre SEO fait {length} caractères (60 au maximum).",
        "The SEO title is {length} characters long (60 at most)."),
       ("Raccourcissez le titre SEO à 60 caractères au plus.", "Shorten the SEO title to 60 characters or fewer.")),
    _r("seo.meta_description_long", W, "product", "SEO description too long",
       ("La description SEO fait {length} caractères (150 au maximum).",
        "The SEO description is {length} characters long (150 at most)."),
       ("Raccourcissez la description SEO à 150 caractères au plus.",
        "Shorten the SEO description to 150 characters or fewer.")),
    _r("seo.generated", INFO, "product", "SEO fields generated",
       ("Cellule vide dans le fichier : nous avons rempli {fields_fr} à partir du produit (« {generated} »).",
        "Empty cell in the file: we filled in the {fields_en} from the product (\"{generated}\")."),
       ("Rien à faire ; pour un meilleur référencement, vous pouvez écrire votre propre texte.",
        "Nothing to do; for better search ranking, you may write your own text.")),
    _r("description.image", E, "product", "Media in the description",
       ("La description contient une image ou un média intégré ({tag}).",
        "The description embeds an image or media ({tag})."),
       ("Retirez la balise de la description et ajoutez l'image dans la colonne Image Src (une ligne par image).",
        "Remove the tag from the description and add the picture in the Image Src column (one row per image).")),
    _r("description.unsafe_html", E, "product", "Unsafe HTML",
       ("Le texte contient du HTML interdit : {what}.", "The text holds forbidden HTML: {what}."),
       ("Limitez-vous à du HTML simple (p, ul, li, strong, em, br, h2, h3, table), sans script ni formulaire.",
        "Keep to simple HTML (p, ul, li, strong, em, br, h2, h3, table), without scripts or forms.")),
    _r("contact.email", E, "product", "Email address in a text",
       ("Adresse email interdite dans « {column} » : {found}.",
        "Email address not allowed in \"{column}\": {found}."),
       ("Retirez toute adresse email : les acheteurs vous contactent par la messagerie de la place de marché.",
        "Remove every email address: buyers reach you through the marketplace's messaging.")),
    _r("contact.phone", E, "product", "Phone number in a text",
       ("Numéro de téléphone interdit dans « {column} » : {found}.",
        "Phone number not allowed in \"{column}\": {found}."),
       ("Retirez le numéro : les acheteurs vous contactent par la messagerie de la place de marché.",
        "Remove the number: buyers reach you through the marketplace's messaging.")),
    _r("contact.url", E, "product", "Link or web address in a text",
       ("Lien ou adresse web interdits dans « {column} » : {found}.",
        "Link or web address not allowed in \"{column}\": {found}."),
       ("Retirez le lien ou le nom de site (article 6 des CGU) ; les vidéos vont dans la colonne Video URL.",
        "Remove the link or site name (terms of use, article 6); videos go in the Video URL column.")),
    _r("text.invisible_chars", W, "product", "Invisible characters",
       ("« {column} » contient {count} caractère(s) invisible(s) ({names}), souvent issus d'un copier-coller "
        "depuis Word.",
        "\"{column}\" holds {count} invisible character(s) ({names}), often from a copy-paste out of Word."),
       ("Ils sont retirés dans le fichier annoté joint. À l'avenir, collez d'abord votre texte dans un éditeur de "
        "texte simple, puis dans le tableur.",
        "They are removed in the attached annotated file. Next time, paste your text into a plain text editor first, "
        "then into the spreadsheet.")),
    _r("text.mojibake", W, "product", "Garbled accents",
       ("« {column} » contient des accents mal encodés : « {found} » devrait être « {fixed} ».",
        "\"{column}\" holds garbled accents: \"{found}\" should read \"{fixed}\"."),
       ("C'est réparé dans le fichier annoté joint ; enregistrez toujours vos fichiers en CSV UTF-8.",
        "Repaired in the attached annotated file; always save as CSV UTF-8.")),
    _r("language.not_french", INFO, "product", "Description not in French",
       ("La description semble rédigée en {language} : elle sera signalée pour traduction.",
        "The description seems to be written in {language_en}: it is flagged for translation."),
       ("Ajoutez une description en français pour un meilleur référencement.",
        "Add a French description for better search ranking.")),
    _r("taxonomy.type_unknown", E, "product", "Unknown Type",
       ("Le Type « {value} » n'est pas une collection de la place de marché.",
        "Type \"{value}\" is not one of the marketplace's collections."),
       ("Choisissez une collection existante, écrite à l'identique, et mettez-la aussi dans les Tags{hint_fr}.",
        "Pick an existing collection, spelt exactly, and add it to the Tags too{hint_en}.")),
    _r("taxonomy.type_not_leaf", E, "product", "Type too broad",
       ("« {value} » est une collection de niveau {level} divisée en sous-collections : elle ne peut pas "
        "recevoir de produits.",
        "\"{value}\" is a level-{level} collection with sub-collections: it cannot hold products."),
       ("Choisissez une de ses sous-collections{hint_fr}.", "Pick one of its sub-collections{hint_en}.")),
    _r("taxonomy.type_too_deep", E, "product", "Type too detailed",
       ("« {value} » est une catégorie de niveau {level} ; les produits se rangent dans sa collection "
        "« {ancestor} ».",
        "\"{value}\" is a level-{level} category; products go in its collection \"{ancestor}\"."),
       ("Mettez « {ancestor} » dans Type et dans les Tags (c'est fait dans le fichier annoté joint).",
        "Put \"{ancestor}\" in Type and in the Tags (done in the attached annotated file).")),
    _r("taxonomy.tag_mismatch", E, "product", "Tags do not contain the Type",
       ("Les Tags ne contiennent pas le Type « {type} » écrit à l'identique.",
        "Tags do not contain the Type \"{type}\" exactly."),
       ("Ajoutez « {type} » aux Tags, écrit exactement comme le Type.",
        "Add \"{type}\" to the Tags, spelt exactly as the Type.")),
    _r("tags.format", W, "product", "Tags badly formatted",
       ("Tags mal formés : {problems_fr}.", "Badly formed tags: {problems_en}."),
       ("Séparez les tags par une virgule sans espace, 40 caractères au plus par tag. Les espaces et les tags "
        "vides sont corrigés dans le fichier annoté joint (« {fixed} ») ; raccourcissez vous-même les tags trop longs.",
        "Separate tags with a comma and no space, 40 characters at most per tag. Spaces and empty tags are fixed "
        "in the attached annotated file (\"{fixed}\"); shorten overlong tags yourself.")),
    _r("price.format", E, "product", "Price not a number",
       ("« {value} » n'est pas un prix valide dans « {column} ».", "\"{value}\" is not a valid price in \"{column}\"."),
       ("Écrivez le prix avec un point pour les décimales (deux au plus), sans symbole : {example}.",
        "Write the price with a decimal point (two decimals at most), no symbol: {example}.")),
    _r("price.not_positive", E, "product", "Price not positive",
       ("Le prix « {value} » doit être supérieur à 0.", "Price \"{value}\" must be greater than 0."),
       ("Indiquez le prix de vente TTC.", "Give the selling price, tax included.")),
    _r("price.compare_at", E, "product", "Compare-at price not higher",
       ("Le prix barré {compare_at} n'est pas supérieur au prix {price}.",
        "Compare-at price {compare_at} is not higher than price {price}."),
       ("Laissez le prix barré vide, ou mettez le prix réellement pratiqué avant la promotion.",
        "Leave the compare-at price empty, or give the price really charged before the sale.")),
    _r("price.currency", E, "product", "Currency not usable",
       ("La devise « {value} » {reason_fr}.", "Currency \"{value}\" {reason_en}."),
       ("Indiquez EUR (ou laissez vide), ou demandez à notre équipe de configurer un taux de change pour cette "
        "devise.",
        "Use EUR (or leave empty), or ask our team to set up an exchange rate for this currency.")),
    _r("product.unchanged", INFO, "product", "Unchanged product",
       ("Ce produit est identique à sa version en ligne ou en attente : rien de nouveau n'est envoyé en "
        "modération.",
        "This product is the same as its live or pending version: nothing new is sent to moderation."),
       ("Rien à faire.", "Nothing to do.")),
    _r("price.converted", INFO, "product", "Price converted to EUR",
       ("Prix converti de {currency} en EUR avec la règle de prix : {old} → {new}.",
        "Price converted from {currency} to EUR with the price rule: {old} → {new}."),
       ("Rien à faire.", "Nothing to do.")),
    _r("price.suspicious_change", W, "product", "Price change held for review",
       ("Le prix passe de {old} à {new}, soit une variation de plus de ×{factor} : il est mis en attente de "
        "vérification.",
        "The price moves from {old} to {new}, a change of more than ×{factor}: it is held for review."),
       ("Si ce prix est correct, vous n'avez rien à faire : notre équipe le validera.",
        "If the price is right, there is nothing to do: our team will approve it.")),
    _r("quantity.invalid", E, "product", "Invalid quantity",
       ("La quantité « {value} » doit être un nombre entier positif ou nul.",
        "Quantity \"{value}\" must be a whole number, zero or more."),
       ("Écrivez un nombre entier, sans décimale ni espace, par exemple 12.",
        "Write a whole number, without decimals or spaces, e.g. 12.")),
    _r("quantity.minimum", E, "product", "Invalid minimum quantity",
       ("La quantité minimale « {value} » doit être un nombre entier supérieur ou égal à 1.",
        "Minimum quantity \"{value}\" must be a whole number of at least 1."),
       ("Mettez 1 si l'article se vend à l'unité.", "Use 1 if the item sells by the unit.")),
    _r("weight.invalid", E, "product", "Invalid weight",
       ("Le poids « {value} » doit être un nombre entier de grammes.",
        "Weight \"{value}\" must be a whole number of grams."),
       ("Écrivez le poids en grammes sans unité : 1,3 kg → 1300.", "Write the weight in grams, no unit: 1.3 kg → 1300.")),
    _r("boolean.invalid", E, "product", "Not TRUE or FALSE",
       ("Dans « {column} », « {value} » n'est ni TRUE ni FALSE.",
        "In \"{column}\", \"{value}\" is neither TRUE nor FALSE."),
       ("Écrivez TRUE ou FALSE (ou laissez vide pour TRUE).", "Write TRUE or FALSE (or leave empty for TRUE).")),
    _r("inventory_policy.invalid", E, "product", "Invalid inventory policy",
       ("« {value} » n'est pas une politique de stock valide.", "\"{value}\" is not a valid inventory policy."),
       ("Écrivez deny (la vente s'arrête à 0 en stock) ou continue (précommandes acceptées), ou laissez vide.",
        "Write deny (sales stop at 0 in stock) or continue (pre-orders accepted), or leave empty.")),
    _r("barcode.invalid", E, "product", "Invalid barcode",
       ("Le code-barres « {value} » n'est pas un GTIN valide ({reason_fr}).",
        "Barcode \"{value}\" is not a valid GTIN ({reason_en})."),
       ("Recopiez l'EAN-13 (ou EAN-8, UPC-A, GTIN-14) imprimé sur l'emballage, ou laissez vide. Dans un tableur, "
        "formatez la colonne en texte pour ne pas perdre les zéros de tête.",
        "Copy the EAN-13 (or EAN-8, UPC-A, GTIN-14) printed on the package, or leave empty. In a spreadsheet, "
        "format the column as text to keep leading zeros.")),
    _r("country.invalid", E, "product", "Invalid country code",
       ("« {value} » n'est pas un code pays ISO à deux lettres.", "\"{value}\" is not a two-letter ISO country code."),
       ("Écrivez le code du pays de fabrication{hint_fr}, par exemple FR, DE, CN.",
        "Write the country of manufacture's code{hint_en}, e.g. FR, DE, CN.")),
    _r("sku.missing", W, "product", "Variant without SKU",
       ("Cette variante n'a pas de SKU.", "This variant has no SKU."),
       ("Donnez à chaque variante une référence unique : elle sert aux mises à jour en masse.",
        "Give each variant a unique reference: bulk updates rely on it.")),
    _r("sku.duplicate", E, "product", "SKU already used",
       ("Le SKU « {value} » est déjà utilisé {where_fr}.", "SKU \"{value}\" is already used {where_en}."),
       ("Donnez à chaque variante un SKU unique dans tout votre catalogue.",
        "Give each variant a SKU that is unique across your whole catalog.")),
    _r("variants.too_many_options", E, "product", "More than 3 options",
       ("Le produit déclare {count} options ; le maximum est de 3.",
        "The product declares {count} options; the maximum is 3."),
       ("Regroupez les options ou créez plusieurs fiches produit.", "Merge options or create several products.")),
    _r("variants.too_many", E, "product", "More than 100 variants",
       ("Le produit a {count} variantes ; le maximum est de 100.",
        "The product has {count} variants; the maximum is 100."),
       ("Créez plusieurs fiches produit (par exemple une par couleur).",
        "Create several products (for instance one per colour).")),
    _r("variants.duplicate", E, "product", "Same variant twice",
       ("Cette variante a les mêmes options que la ligne {other_row} : {options}.",
        "This variant has the same options as row {other_row}: {options}."),
       ("Chaque combinaison d'options ne doit apparaître qu'une fois ; corrigez ou supprimez la ligne.",
        "Each combination of options may appear once only; fix or delete the row.")),
    _r("variants.options_inconsistent", E, "product", "Options inconsistent",
       ("Options incohérentes : {problem_fr}.", "Inconsistent options: {problem_en}."),
       ("Déclarez les noms d'options sur la première ligne du produit et donnez une valeur à chaque option "
        "sur chaque variante.",
        "Declare option names on the product's first row and give each option a value on every variant.")),
    _r("image.missing", E, "product", "No image",
       ("Le produit n'a pas d'image sur sa première ligne.", "The product has no image on its first row."),
       ("Indiquez dans Image Src le lien direct (https) d'une photo JPG ou PNG.",
        "Put the direct https link of a JPG or PNG photo in Image Src.")),
    _r("image.url", E, "product", "Image link not a URL",
       ("« {value} » n'est pas une adresse web.", "\"{value}\" is not a web address."),
       ("Mettez l'adresse complète de l'image, commençant par https://.",
        "Give the image's full address, starting with https://.")),
    _r("image.not_https", E, "product", "Image link not https",
       ("Le lien d'image n'est pas sécurisé (https) : {value}.", "The image link is not secure (https): {value}."),
       ("Utilisez l'adresse en https:// de l'image.", "Use the image's https:// address.")),
    _r("image.host_not_allowed", E, "product", "Image on a sharing site",
       ("{host_name} renvoie vers une page de partage, pas vers l'image elle-même.",
        "{host_name} links to a sharing page, not to the picture itself."),
       ("Hébergez l'image sur votre site ou un hébergeur d'images et donnez le lien direct (finissant par "
        ".jpg ou .png).",
        "Host the image on your site or an image host and give the direct link (ending in .jpg or .png).")),
    _r("image.extension", W, "product", "Image link without .jpg/.png",
       ("Le lien d'image ne se termine pas par .jpg, .jpeg ou .png : {value}.",
        "The image link does not end in .jpg, .jpeg or .png: {value}."),
       ("Vérifiez qu'il s'agit d'un lien direct vers l'image (c'est le téléchargement qui tranche).",
        "Check it is a direct link to the picture (the download decides).")),
    _r("image.blocked_address", E, "product", "Image on a private address",
       ("L'image est sur une adresse non publique ({host}).", "The image is on a non-public address ({host})."),
       ("Publiez l'image sur un serveur accessible depuis Internet.",
        "Publish the image on a server reachable from the internet.")),
    _r("image.download_failed", E, "product", "Image could not be downloaded",
       ("L'image n'a pas pu être téléchargée : {reason_fr}.", "The image could not be downloaded: {reason_en}."),
       ("Ouvrez le lien dans une fenêtre de navigation privée : il doit afficher l'image seule.",
        "Open the link in a private browser window: it must show the picture alone.")),
    _r("image.host_unreachable", W, "file", "Image server unreachable",
       ("Le serveur d'images {host} ne répond pas ({reason_fr}) : {count} liens d'images de {products} "
        "produits n'ont pas pu être téléchargés.",
        "The image server {host} does not answer ({reason_en}): {count} image links of {products} products "
        "could not be downloaded."),
       ("Vérifiez que ce serveur est en ligne et accessible depuis Internet (ouvrez un des liens dans une "
        "fenêtre de navigation privée), puis renvoyez le fichier. Chaque produit concerné est refusé pour "
        "son image.",
        "Check that this server is online and reachable from the internet (open one of the links in a private "
        "browser window), then send the file again. Each product concerned is refused for its image.")),
    _r("image.format", E, "product", "Not a JPEG or PNG",
       ("Le lien ne renvoie pas une image JPEG ou PNG ({found}).", "The link does not return a JPEG or PNG ({found})."),
       ("Convertissez l'image en JPG ou PNG.", "Convert the picture to JPG or PNG.")),
    _r("image.too_large", E, "product", "Image over 2 MB",
       ("L'image dépasse 2 Mo.", "The image is over 2 MB."),
       ("Réduisez-la (une taille de 1024×1024 px suffit) ou compressez-la en JPG.",
        "Reduce it (1024×1024 px is enough) or compress it as JPG.")),
    _r("image.corrupt", E, "product", "Image unreadable",
       ("L'image ne peut pas être lue : {reason_fr}.", "The image cannot be read: {reason_en}."),
       ("Exportez de nouveau l'image depuis votre logiciel photo.", "Export the picture again from your photo software.")),
    _r("image.too_small", W, "product", "Image too small",
       ("L'image fait {width}×{height} px ; {min_size}×{min_size} px au moins pour les canaux externes.",
        "The image is {width}×{height} px; at least {min_size}×{min_size} px for external channels."),
       ("Utilisez une image plus grande (1024×1024 px recommandé).", "Use a larger picture (1024×1024 px recommended).")),
    _r("alt.format", W, "product", "Alt text to improve",
       ("Texte alternatif à revoir : {problem_fr}.", "Alt text to improve: {problem_en}."),
       ("Décrivez ce que montre la photo en quelques mots, sans prix ni symboles.",
        "Describe what the photo shows in a few words, without prices or symbols.")),
    _r("video.url", E, "product", "Video link not accepted",
       ("« {value} » n'est ni un lien YouTube ou Vimeo, ni une vidéo .mp4 en https.",
        "\"{value}\" is not a YouTube, Vimeo or https .mp4 link."),
       ("Mettez le lien de la vidéo YouTube ou Vimeo, ou d'un fichier .mp4 en https.",
        "Give the YouTube or Vimeo link, or an https .mp4 file.")),
    _r("duplicate.exact", E, "product", "Duplicate product",
       ("Même titre et même description que le produit « {other} » {where_fr}.",
        "Same title and description as product \"{other}\" {where_en}."),
       ("Pour modifier un produit existant, renvoyez-le avec son Handle ; sinon, différenciez le titre et la "
        "description.",
        "To change an existing product, send it again with its Handle; otherwise, make the title and "
        "description different.")),
    _r("duplicate.near", W, "product", "Near-duplicate product",
       ("Titre et description presque identiques à ceux du produit « {other} » ({score} %).",
        "Title and description nearly the same as product \"{other}\" ({score}%)."),
       ("Si ce sont des variantes d'un même article, regroupez-les sous un seul Handle.",
        "If these are variants of one item, group them under a single Handle.")),
    # ---- Bulk file only ---------------------------------------------------
    _r("bulk.unknown_variant", E, "bulk", "Unknown variant",
       ("La variante « {value} » n'existe pas dans le catalogue.", "Variant \"{value}\" is not in the catalog."),
       ("Repartez d'un export récent sans modifier les colonnes Product ID et Variant ID.",
        "Start from a recent export without changing the Product ID and Variant ID columns.")),
    _r("bulk.not_owner", E, "bulk", "Variant of another seller",
       ("La variante « {value} » n'appartient pas à votre boutique.",
        "Variant \"{value}\" does not belong to your shop."),
       ("Ne modifiez que les lignes de votre propre export.", "Only change rows of your own export.")),
    _r("bulk.product_mismatch", E, "bulk", "Product and variant do not match",
       ("La variante « {variant} » n'appartient pas au produit « {product_id} ».",
        "Variant \"{variant}\" does not belong to product \"{product_id}\"."),
       ("Ne modifiez pas les colonnes Product ID et Variant ID de l'export.",
        "Do not change the export's Product ID and Variant ID columns.")),
    _r("bulk.variant_repeated", E, "bulk", "Variant on two rows",
       ("La variante « {value} » figure sur plusieurs lignes ({rows}) : une variante ne peut être modifiée "
        "qu'une fois par fichier, aucune de ces lignes n'est appliquée.",
        "Variant \"{value}\" is on several rows ({rows}): a variant can be changed once per file, none of these "
        "rows is applied."),
       ("Gardez une seule ligne par variante, celle qui porte les valeurs voulues.",
        "Keep one row per variant, the one with the values you want.")),
    _r("bulk.title_conflict", E, "bulk", "Two new titles for one product",
       ("Le produit « {product_id} » reçoit deux nouveaux titres : « {value} » ici et « {other} » à la ligne "
        "{other_row}.",
        "Product \"{product_id}\" gets two new titles: \"{value}\" here and \"{other}\" on row {other_row}."),
       ("Le titre est celui du produit, commun à toutes ses variantes : écrivez le même titre sur toutes ses "
        "lignes, ou modifiez-le sur une seule ligne.",
        "The title belongs to the product, shared by all its variants: write the same title on all its rows, or "
        "change it on one row only.")),
    # ---- Feeds only -------------------------------------------------------
    _r("feed.fetch_failed", E, "feed", "Feed could not be read",
       ("Le flux n'a pas pu être lu : {reason_fr}.", "The feed could not be read: {reason_en}."),
       ("Vérifiez que l'adresse du flux s'ouvre dans un navigateur.",
        "Check that the feed's address opens in a browser.")),
    _r("feed.blocked_address", E, "feed", "Feed on a private address",
       ("L'adresse du flux n'est pas publique ({host}).", "The feed's address is not public ({host})."),
       ("Publiez le flux sur un serveur accessible depuis Internet, en https.",
        "Publish the feed on a server reachable from the internet, over https.")),
    _r("feed.too_large", E, "feed", "Feed too large",
       ("Le flux dépasse la taille maximale ({limit}).", "The feed is over the size limit ({limit})."),
       ("Découpez le catalogue en plusieurs flux.", "Split the catalog into several feeds.")),
    _r("feed.not_xml", E, "feed", "Feed not well-formed XML",
       ("Le flux n'est pas un XML valide{where_fr} : {reason_fr}.",
        "The feed is not well-formed XML{where_en}: {reason_en}."),
       ("Corrigez l'export XML de votre boutique.", "Fix your shop's XML export.")),
    _r("feed.forbidden_xml", E, "feed", "Forbidden XML construct",
       ("Le flux contient une déclaration DTD ou d'entité, refusée pour des raisons de sécurité.",
        "The feed holds a DTD or entity declaration, refused for security reasons."),
       ("Retirez la déclaration <!DOCTYPE …> du flux.", "Remove the <!DOCTYPE …> declaration from the feed.")),
    _r("feed.format_unknown", E, "feed", "Unknown feed format",
       ("Le flux n'est ni un RSS 2.0 ni un Atom avec l'espace de noms g: de Google Merchant.",
        "The feed is neither RSS 2.0 nor Atom with Google Merchant's g: namespace."),
       ("Exportez un flux au format Google Merchant Center.", "Export a Google Merchant Center feed.")),
    _r("feed.item_missing_field", E, "feed", "Item missing a field",
       ("L'article n'a pas de {field}.", "The item has no {field}."),
       ("Ajoutez {field} à cet article du flux.", "Add {field} to this feed item.")),
    _r("feed.price_format", E, "feed", "Feed price not like 49.90 EUR",
       ("Le prix « {value} » n'est pas au format « 49.90 EUR ».", "Price \"{value}\" is not like \"49.90 EUR\"."),
       ("Écrivez le montant avec un point pour les décimales, puis une espace et le code devise.",
        "Write the amount with a decimal point, then a space and the currency code.")),
    _r("feed.duplicate_id", E, "feed", "Item id used twice",
       ("L'identifiant g:id « {value} » apparaît plusieurs fois.", "The g:id \"{value}\" appears more than once."),
       ("Donnez à chaque article un g:id unique.", "Give each item a unique g:id.")),
    _r("feed.mass_removal", W, "feed", "Mass removal held",
       ("{gone} de vos {live} produits en ligne ont disparu du flux d'un coup{empty_fr} : par précaution, aucun "
        "n'est retiré de la vente. Les produits nouveaux ou modifiés sont traités normalement.",
        "{gone} of your {live} live products disappeared from the feed at once{empty_en}: as a precaution, none "
        "is taken off sale. New and changed products are handled as usual."),
       ("Si l'export de votre boutique a échoué, corrigez-le : la prochaine lecture rétablira tout. Si ces "
        "produits doivent vraiment être retirés, dites-le à notre équipe, qui confirmera le retrait.",
        "If your shop's export failed, fix it: the next read puts everything right. If these products really "
        "are to be removed, tell our team, who will confirm the removal."),
       "More than CATALOG_FEED_REMOVAL_SHARE of the feed's live products are missing, or the feed has no item: "
       "ops confirm with `catalog feeds refresh --feed ID --allow-removals`."),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}


# Each rule's title in French, as the report's summary names it (the English title is the rule's own).
TITLES_FR: dict[str, str] = {
    "file.empty": "Fichier vide", "file.too_large": "Fichier trop lourd", "file.not_csv": "Pas un fichier CSV",
    "encoding.not_utf8": "Fichier pas en UTF-8", "structure.delimiter": "Mauvais séparateur",
    "structure.columns": "Colonnes différentes du modèle",
    "structure.header_slip": "Noms de colonnes mal écrits (majuscules, espaces)",
    "structure.blank_header": "Colonne sans nom", "structure.duplicate_header": "Colonne en double",
    "structure.malformed": "CSV illisible", "structure.too_many_rows": "Trop de lignes",
    "structure.report_columns": "Colonnes du rapport ignorées", "seller.not_ready": "Compte vendeur incomplet",
    "structure.row_length": "Mauvais nombre de cellules", "structure.variants_split": "Lignes d'un produit séparées",
    "structure.collection_not_empty": "Collection ignorée",
    "structure.product_cells_ignored": "Cellules produit sur une ligne de variante",
    "field.required": "Cellule obligatoire vide", "handle.format": "Handle invalide", "title.too_long": "Titre trop long",
    "seo.title_caps": "Trop de majuscules dans le titre", "seo.title_symbols": "Symboles promotionnels dans le titre",
    "seo.description_short": "Description trop courte", "seo.description_long": "Description trop longue",
    "seo.description_punctuation": "Description sans ponctuation finale",
    "seo.meta_title_long": "Titre SEO trop long", "seo.meta_description_long": "Description SEO trop longue",
    "seo.generated": "Champs SEO générés", "description.image": "Image ou média dans la description",
    "description.unsafe_html": "HTML dangereux", "contact.email": "Adresse email dans un texte",
    "contact.phone": "Numéro de téléphone dans un texte", "contact.url": "Lien ou adresse web dans un texte",
    "text.invisible_chars": "Caractères invisibles", "text.mojibake": "Accents mal encodés",
    "language.not_french": "Description pas en français", "taxonomy.type_unknown": "Type inconnu",
    "taxonomy.type_not_leaf": "Type trop large", "taxonomy.type_too_deep": "Type trop précis",
    "taxonomy.tag_mismatch": "Le Type manque dans les Tags", "tags.format": "Tags mal formés",
    "price.format": "Prix mal écrit", "price.not_positive": "Prix nul ou négatif",
    "price.compare_at": "Prix barré pas plus élevé", "price.currency": "Devise inutilisable",
    "price.converted": "Prix converti en euros", "price.suspicious_change": "Changement de prix à vérifier",
    "quantity.invalid": "Quantité invalide", "quantity.minimum": "Quantité minimale invalide",
    "weight.invalid": "Poids invalide", "boolean.invalid": "Ni TRUE ni FALSE",
    "inventory_policy.invalid": "Politique de stock invalide", "barcode.invalid": "Code-barres invalide",
    "country.invalid": "Code pays invalide", "sku.missing": "Variante sans SKU", "sku.duplicate": "SKU déjà utilisé",
    "variants.too_many_options": "Plus de 3 options", "variants.too_many": "Plus de 100 variantes",
    "variants.duplicate": "Variante en double", "variants.options_inconsistent": "Options incohérentes",
    "image.missing": "Pas d'image", "image.url": "Lien d'image invalide", "image.not_https": "Lien d'image pas en https",
    "image.host_not_allowed": "Image sur un site de partage", "image.extension": "Lien d'image sans .jpg/.png",
    "image.blocked_address": "Image sur une adresse privée", "image.download_failed": "Image impossible à télécharger",
    "image.format": "Image ni JPEG ni PNG", "image.too_large": "Image de plus de 2 Mo",
    "image.corrupt": "Image illisible", "image.too_small": "Image trop petite", "alt.format": "Texte alternatif à revoir",
    "video.url": "Lien vidéo refusé", "duplicate.exact": "Produit en double", "duplicate.near": "Produit presque identique",
    "bulk.unknown_variant": "Variante inconnue", "bulk.not_owner": "Variante d'un autre vendeur",
    "bulk.product_mismatch": "Produit et variante ne correspondent pas",
    "bulk.variant_repeated": "Variante sur plusieurs lignes", "bulk.title_conflict": "Deux nouveaux titres pour un produit",
    "feed.fetch_failed": "Flux illisible",
    "feed.blocked_address": "Flux sur une adresse privée", "feed.too_large": "Flux trop lourd",
    "feed.not_xml": "Flux XML mal formé", "feed.forbidden_xml": "Construction XML interdite",
    "feed.format_unknown": "Format de flux inconnu", "feed.item_missing_field": "Champ manquant dans un article",
    "feed.price_format": "Prix du flux mal écrit", "feed.duplicate_id": "Identifiant d'article en double",
    "feed.mass_removal": "Retraits massifs mis en attente", "product.unchanged": "Produit inchangé",
    "image.host_unreachable": "Serveur d'images injoignable",
}


def title(code: str) -> Text:
    """A rule's title in French and English (the English one where no French title is written yet)."""
    found = RULES[code].title if code in RULES else code
    return Text(TITLES_FR.get(code, found), found)


def rule(code: str) -> Rule:
    return RULES[code]


def issue(code: str, **kwargs: Any) -> Issue:
    """Raise the rule `code` as an issue; keyword arguments as in `Rule.issue`."""
    return RULES[code].issue(**kwargs)
