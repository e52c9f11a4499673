"""Text quality, SEO, description HTML, alt text and video link checks."""

from __future__ import annotations

import pytest

from catalog.domain.issues import Issue, Severity
from catalog.domain.location import Location
from validators.html import description_html_issues, html_to_text, unsafe_html_issues
from validators.media import alt_issues, video_issues
from validators.seo import (
    description_issues,
    generate_seo,
    meta_issues,
    seo_generated_issues,
    title_issues,
)
from validators.text import fix_text, invisible_chars, language_issue, remove_invisible, text_issues

# The FAQ's model product, verbatim.
PROTOOLS_TITLE = "Perceuse sans fil 18V Lithium 2 batteries – marque PROTOOLS"
PROTOOLS_BODY = (
    "<p>La perceuse sans fil PROTOOLS 18V est conçue pour les travaux de perçage et vissage intensifs. Livrée "
    "avec deux batteries lithium 2 Ah et un chargeur rapide, elle offre une autonomie longue durée et une "
    "puissance constante. Idéale pour les artisans, menuisiers ou bricoleurs exigeants.</p> <ul> <li>Couple : "
    "50 Nm</li> <li>2 vitesses mécaniques (0–400 / 0–1500 tr/min)</li> <li>Mandrin auto-serrant 13 mm</li> "
    "<li>Poids : 1,3 kg</li> <li>Livrée en coffret plastique rigide</li> </ul> <p>Garantie 2 ans. Livraison "
    "sous 48h ouvrées.</p>"
)
PROTOOLS_VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
PROTOOLS_ALT = "Vidéo de démonstration du produit PROTOOLS – durée 1 min 20 s."

# A complete French description (over 500 characters), with the usual English technical words.
GOOD_BODY = (
    "<h2>Casque audio sans fil à réduction de bruit</h2>"
    "<p>Ce casque Bluetooth 5.3 offre une écoute confortable pendant toute une journée de travail. La "
    "réduction de bruit active (ANC) atténue les bruits de l'open space et des transports, tandis que le mode "
    "ambiant vous laisse entendre vos collègues sans retirer le casque.</p>"
    "<ul><li>Autonomie : 30&nbsp;h avec ANC, recharge rapide USB-C (10 min = 5 h d'écoute)</li>"
    "<li>Micro intégré compatible Teams et Zoom, idéal pour le télétravail</li>"
    "<li>Coussinets en mousse à mémoire de forme, arceau réglable</li>"
    "<li>Poids : 250 g ; pliable, livré avec sa housse de transport</li></ul>"
    "<p>Les commandes tactiles permettent de régler le volume et de répondre aux appels. Le casque se connecte "
    "à deux appareils à la fois (ordinateur et smartphone) et bascule automatiquement de l'un à l'autre. "
    "Garantie constructeur de 2 ans.</p>"
)


def codes(issues: list[Issue]) -> list[str]:
    return [found.code for found in issues]


def all_checks(title: str, body: str, *, alt: str = "", video: str = "", seo_title: str = "x",
               seo_description: str = "y") -> list[Issue]:
    where = {"product": "p"}
    title_at, body_at = Location(2, "Title"), Location(2, "Body (HTML)")
    return [
        *title_issues(title, at=title_at, **where),
        *description_issues(body, at=body_at, **where),
        *description_html_issues(body, at=body_at, **where),
        *text_issues(title, at=title_at, **where),
        *text_issues(body, at=body_at, **where),
        *language_issue(body, at=body_at, **where),
        *meta_issues(seo_title, seo_description, title_at=Location(2, "SEO Title"),
                     description_at=Location(2, "SEO Description"), **where),
        *alt_issues(alt, title=title, at=Location(2, "Image Alt Text"), **where),
        *video_issues(video, at=Location(2, "Video URL"), **where),
    ]


# ---- The FAQ example -------------------------------------------------------------------------------------------

def test_protools_example_only_misses_the_description_length():
    text = html_to_text(PROTOOLS_BODY)
    assert len(text) == 467  # the FAQ's own model is under the 500 characters it recommends
    issues = all_checks(PROTOOLS_TITLE, PROTOOLS_BODY, alt=PROTOOLS_ALT, video=PROTOOLS_VIDEO)
    assert codes(issues) == ["seo.description_short"]
    assert issues[0].severity is Severity.WARNING
    assert "467" in issues[0].message.fr


def test_good_french_product_raises_nothing():
    assert all_checks("Casque audio Bluetooth à réduction de bruit – marque SONORA", GOOD_BODY,
                      alt="Casque audio noir plié dans sa housse", video="https://vimeo.com/76979871") == []


def test_protools_seo_is_generated_from_title_and_description():
    title, description = generate_seo(PROTOOLS_TITLE, PROTOOLS_BODY)
    assert title == PROTOOLS_TITLE  # 59 characters: fits
    assert len(description) <= 150 and description.endswith("…")
    assert description.startswith("La perceuse sans fil PROTOOLS 18V est conçue")
    assert description == ("La perceuse sans fil PROTOOLS 18V est conçue pour les travaux de perçage et vissage "
                           "intensifs. Livrée avec deux batteries lithium 2 Ah et un chargeur…")


# ---- html_to_text ---------------------------------------------------------------------------------------------

def test_html_to_text_blocks_entities_and_spaces():
    html = "<p>Couple&nbsp;: 50 Nm &amp; plus</p><ul><li>un</li><li>deux\n   trois</li></ul>fin<br>ligne"
    assert html_to_text(html) == "Couple\u00a0: 50 Nm & plus\nun\ndeux trois\nfin\nligne"


def test_html_to_text_plain_text_keeps_its_lines():
    assert html_to_text("Première ligne  \n\n\n  seconde   ligne &eacute;") == "Première ligne\nseconde ligne é"


@pytest.mark.parametrize(("html", "expected"), [
    ("<p>non fermé <b>gras <li>point", "non fermé gras\npoint"),
    ("<script>alert(1)</script><style>p{}</style><p>visible</p>", "visible"),
    ("<p>contrôle\x00 et\x0b tab</p>", "contrôle et tab"),
    ("<!-- commentaire --><p>texte</p>", "texte"),
    ("</p></div>", ""),
    ("", ""),
    ("3 < 5 et 7 > 2", "3 < 5 et 7 > 2"),
])
def test_html_to_text_is_robust(html: str, expected: str):
    assert html_to_text(html) == expected


# ---- description.image and description.unsafe_html ------------------------------------------------------------

@pytest.mark.parametrize("html", [
    '<p>Voir photo</p><img src="https://cdn.example.fr/a.jpg">',
    "<video src='demo.mp4'></video>",
    "<picture><source srcset='a.webp'></picture>",
    "<svg viewBox='0 0 10 10'></svg>",
    "<audio src=a.mp3>",
    "<canvas></canvas>",
])
def test_media_in_description(html: str):
    found = description_html_issues(html, at=Location(2, "Body (HTML)"), product="p")
    assert "description.image" in codes(found)
    assert found[0].severity is Severity.ERROR and found[0].column == "Body (HTML)"


def test_media_tag_names_listed():
    found = description_html_issues("<IMG SRC=a.jpg><p>x</p><video></video>",
                                    at=Location(2, "Body (HTML)"), product="p")
    assert found[0].code == "description.image" and "<img>, <video>" in found[0].message.fr


@pytest.mark.parametrize(("html", "what"), [
    ("<p>ok</p><script>alert(1)</script>", "<script>"),
    ('<p onclick="steal()">clic</p>', 'onclick="…"'),
    ('<a href="javascript:alert(1)">x</a>', 'href="javascript:…"'),
    ('<a href=" java\tscript:alert(1)">x</a>', 'href="javascript:…"'),
    ('<a href="&#106;avascript:alert(1)">x</a>', 'href="javascript:…"'),
    ('<a href="VBScript:msgbox">x</a>', 'href="vbscript:…"'),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', 'href="data:…"'),
    ("<iframe src='https://example.fr'></iframe>", "<iframe>"),
    ("<object data=x></object><embed src=y>", "<object>, <embed>"),
    ("<form action=x><input name=q></form>", "<form>, <input>"),
    ("<style>body{display:none}</style>", "<style>"),
    ("<link rel=stylesheet href=x.css><meta http-equiv=refresh content=0>", "<link>, <meta>"),
    ("<ScRiPt >alert(1)</script >", "<script>"),
    ('<p style="width:expression(alert(1))">x</p>', 'style="…"'),
])
def test_unsafe_html(html: str, what: str):
    found = [i for i in description_html_issues(html, at=Location(2, "Body (HTML)"), product="p")
             if i.code == "description.unsafe_html"]
    assert len(found) == 1
    assert what in found[0].message.fr and what in found[0].message.en
    assert found[0].severity is Severity.ERROR


def test_unsafe_lists_everything_found():
    found = description_html_issues('<img src=x onerror="alert(1)"><script></script>',
                                                               at=Location(2, "Body (HTML)"), product="p")
    assert codes(found) == ["description.image", "description.unsafe_html"]
    assert found[1].message.en == 'The text holds forbidden HTML: <script>, onerror="…".'


@pytest.mark.parametrize("html", [
    PROTOOLS_BODY,
    GOOD_BODY,
    '<p title="data: 2024">Notice</p><table><tr><td>Poids</td><td>1,3 kg</td></tr></table>',
    "<h2>Caractéristiques</h2><p><strong>Solide</strong> et <em>légère</em>.<br>Onduleur « on-line ».</p>",
    "Texte brut sans balise : javascript n'est pas un lien ici.",
])
def test_safe_html_raises_nothing(html: str):
    assert description_html_issues(html, at=Location(2, "Body (HTML)"), product="p") == []


def test_content_after_the_document_end_is_still_checked():
    html = "<p>Perceuse.</p></body></html><img src=x onerror=alert(1)>suite"
    found = description_html_issues(html, at=Location(2, "Body (HTML)"), product="p")
    assert codes(found) == ["description.image", "description.unsafe_html"]
    assert html_to_text(html) == "Perceuse.\nsuite"


def test_policy_gets_unsafe_html_but_not_the_media_rule():
    policy = "<p>Non retournable.</p><img src=x.jpg><script>x()</script>"
    found = unsafe_html_issues(policy, at=Location(2, "Product Policy"), product="p")
    assert codes(found) == ["description.unsafe_html"]
    assert found[0].column == "Product Policy"
    assert unsafe_html_issues("<p>Expédié sous 10 jours ouvrables.</p>",
                              at=Location(2, "Product Policy"), product="p") == []


# ---- Invisible characters -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "name"), [
    ("Perceuse\u200bsans fil", "espace de largeur nulle U+200B"),
    ("Perceuse\u200c", "U+200C"),
    ("a\u200db", "liant sans chasse U+200D"),
    ("mot\u2060joint", "gluon de mots U+2060"),
    ("Perceuse\ufeff 18V", "U+FEFF"),
    ("perfor\u00admante", "trait d'union conditionnel U+00AD"),
    ("texte\u200e", "marque gauche à droite U+200E"),
    ("\u202eenrevni", "contrôle bidirectionnel U+202E"),
    ("\u2066isolé\u2069", "isolat bidirectionnel U+2066"),
    ("ligne\u2028suivante", "séparateur de ligne U+2028"),
    ("para\u2029graphe", "U+2029"),
    ("cloche\x07", "caractère de contrôle U+0007"),
    ("c1\x9dcontrôle", "U+009D"),
])
def test_invisible_characters_found(text: str, name: str):
    found = text_issues(text, at=Location(2, "Title"), product="p")
    assert codes(found) == ["text.invisible_chars"]
    assert name in found[0].message.fr and name in found[0].message.en
    assert found[0].severity is Severity.WARNING


def test_invisible_count_and_positions():
    text = "Mandrin\u200b 13\u00a0mm\u200b\ufeff"
    assert invisible_chars(text) == [(7, "\u200b"), (14, "\u200b"), (15, "\ufeff")]
    found = text_issues(text, at=Location(2, "Body (HTML)"), product="p")
    assert "3 caractère(s)" in found[0].message.fr
    assert found[0].message.fr.count("U+200B") == 1


@pytest.mark.parametrize("text", [
    "Prix\u00a0: 49,90\u00a0€ ; livraison « express » !",
    "Largeur\u202f: 30\u202fcm",
    "Ligne 1\nLigne 2\r\n\tIndentée",
    "Chef 👨\u200d🍳 et famille 👨\u200d👩\u200d👧 ❤️ 👍🏽",
])
def test_visible_text_is_not_invisible(text: str):
    assert invisible_chars(text) == []
    assert text_issues(text, at=Location(2, "Title"), product="p") == []
    assert remove_invisible(text) == text


def test_remove_invisible():
    text = "Per\u200bceuse\ufeff sans\u00adfil\u2028PROTOOLS\x0bok\x00"
    assert remove_invisible(text) == "Perceuse sansfil\nPROTOOLS\nok"


# ---- Mojibake -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "found", "fixed"), [
    ("Idéal pour l'Ã©tÃ© au jardin", "l'Ã©tÃ©", "l'été"),
    ("Ã§a marche", "Ã§a", "ça"),
    ("Lâ€™outil idéal", "Lâ€™outil", "L’outil"),
    ("CrÃ¨me hydratante", "CrÃ¨me", "Crème"),
])
def test_mojibake(text: str, found: str, fixed: str):
    issues = text_issues(text, at=Location(2, "Body (HTML)"), product="p")
    assert codes(issues) == ["text.mojibake"]
    assert f"« {found} » devrait être « {fixed} »" in issues[0].message.fr
    assert issues[0].suggestions == (fixed,)


@pytest.mark.parametrize("text", [
    "Température de service : -20 °C à 60 °C, surface 2 m², prix 49,90 €.",
    "Œuf, cœur, sœur, « guillemets », tiret — et points de suspension… Il est arrivé…",
    "Écran 1024×1024, ½ litre, Marque™ ou Marque®, 50 % de coton, L’été, São Paulo",
    "Émoji : 😀 🔥 ✅ ⭐",
    "Ça, ÇA, À bientôt, ÉTÉ, Noël, maïs, ambiguë",
])
def test_correct_french_is_not_mojibake(text: str):
    assert text_issues(text, at=Location(2, "Body (HTML)"), product="p") == []
    assert fix_text(text) == text


def test_windows_1252_control_is_mojibake_not_invisible():
    found = text_issues("l\x92été", at=Location(2, "Title"), product="p")
    assert codes(found) == ["text.mojibake"] and found[0].suggestions == ("l’été",)
    assert fix_text("l\x92été") == "l’été"


def test_mojibake_and_invisible_together():
    found = text_issues("\ufeffCafÃ©\u200b noir", at=Location(2, "Title"), product="p")
    assert codes(found) == ["text.mojibake", "text.invisible_chars"]
    assert found[0].suggestions == ("Café",) and "2 caractère(s)" in found[1].message.fr
    assert fix_text("\ufeffCafÃ©\u200b noir") == "Café noir"


def test_fix_text_repairs_only_encoding_and_invisibles():
    assert fix_text("Lâ€™Ã©tÃ©\u200b est lÃ  aussi") == "L’été est là aussi"
    untouched = "« Guillemets » “anglais” ﬁn &amp; e\u0301 ＡＢ"
    assert fix_text(untouched) == untouched


# ---- Language -------------------------------------------------------------------------------------------------

def test_english_description_is_flagged():
    body = ("<p>This cordless drill is designed for intensive drilling and screwing work. Supplied with two "
            "lithium batteries and a fast charger, it offers long battery life and constant power.</p>")
    found = language_issue(body, at=Location(2, "Body (HTML)"), product="p")
    assert codes(found) == ["language.not_french"]
    assert found[0].severity is Severity.INFO
    assert "anglais" in found[0].message.fr and "English" in found[0].message.en


def test_spanish_description_is_flagged():
    body = ("Taladro inalámbrico diseñado para trabajos intensivos de perforación y atornillado. Incluye dos "
            "baterías de litio y un cargador rápido, ofrece una gran autonomía.")
    found = language_issue(body, at=Location(2, "Body (HTML)"), product="p")
    assert codes(found) == ["language.not_french"] and "espagnol" in found[0].message.fr


@pytest.mark.parametrize("body", [
    PROTOOLS_BODY,
    GOOD_BODY,
    "Casque gaming RGB wireless, son surround 7.1, micro noise cancelling, compatible PC, PS5 et Xbox Series X. "
    "Le design over-ear et les coussinets memory foam assurent un confort parfait pour vos sessions.",
    "Couple : 50 Nm\nMandrin auto-serrant 13 mm\nPoids : 1,3 kg\nTension : 18V\nCapacité batterie : 2 Ah\n"
    "Temps de charge : 45 min\nNiveau sonore : 85 dB",
    "Cordless drill, two batteries.",  # too short to judge
])
def test_french_or_short_descriptions_are_not_flagged(body: str):
    assert language_issue(body, at=Location(2, "Body (HTML)"), product="p") == []


# ---- Title ----------------------------------------------------------------------------------------------------

def test_title_too_long_error_and_warning():
    error = title_issues("Perceuse " * 29, at=Location(2, "Title"), product="p")  # 260 characters once stripped
    assert codes(error) == ["title.too_long"] and error[0].severity is Severity.ERROR
    assert "limite de 255" in error[0].message.fr
    warning = title_issues("Perceuse sans fil " * 9, at=Location(2, "Title"), product="p")  # 161 characters
    assert codes(warning) == ["title.too_long"] and warning[0].severity is Severity.WARNING
    assert "limite de 150" in warning[0].message.fr
    assert title_issues(("Table de jardin " * 10)[:150], at=Location(2, "Title"), product="p") == []


@pytest.mark.parametrize("title", [
    "PERCEUSE SANS FIL 18V LITHIUM",
    "T-shirt homme COL ROND GRANDE TAILLE",
    "SAC DE SPORT BLEU",
    "SUPER PROMO perceuse 18V",
    "Robe d'été LONGUE FLEURIE À BRETELLES",
    "Perceuse PROTOOLS 18V – PROMO SPÉCIALE",
])
def test_title_caps(title: str):
    assert codes(title_issues(title, at=Location(2, "Title"), product="p")) == ["seo.title_caps"]


@pytest.mark.parametrize("title", [
    PROTOOLS_TITLE,
    "T-shirt homme à col rond",
    "Table de jardin 8 places",
    "Marteau STANLEY FATMAX 500 g",
    "Chaussures de sécurité S3 – DELTA PLUS",
    "Câble USB vers HDMI 2 m – marque BELKIN",
    "Écran PC 27 pouces 4K UHD IPS HDMI DisplayPort",
    "Ampoule LED E27 10W blanc chaud",
    "Projecteur extérieur IP65 LED 50W",
    "Sweat à capuche taille XXL",
])
def test_title_without_abusive_caps(title: str):
    assert title_issues(title, at=Location(2, "Title"), product="p") == []


@pytest.mark.parametrize(("title", "symbols"), [
    ("Perceuse 18V !!!", "!"),
    ("Table de jardin -20%", "%"),
    ("Perceuse 49€", "€"),
    ("Perceuse $49", "$"),
    ("Perceuse *promo*", "*"),
    ("Perceuse 🔥 top ⭐", "🔥 ⭐"),
    ("Perceuse ! -20% 🔥", "! % 🔥"),
])
def test_title_symbols(title: str, symbols: str):
    found = title_issues(title, at=Location(2, "Title"), product="p")
    assert codes(found) == ["seo.title_symbols"]
    assert f": {symbols}." in found[0].message.fr


def test_title_legit_symbols():
    assert title_issues("Marque™ Tube ⌀ 20 mm (inox) – 1/2 pouce, 30 °C, « Classic »®",
                                               at=Location(2, "Title"), product="p") == []


# ---- Description ----------------------------------------------------------------------------------------------

def test_description_short_and_long():
    short = description_issues("<p>Perceuse sans fil.</p>", at=Location(2, "Body (HTML)"), product="p")
    assert codes(short) == ["seo.description_short"] and "18 caractères" in short[0].message.fr
    long = description_issues("<p>" + "Phrase de description. " * 230 + "</p>",
                              at=Location(2, "Body (HTML)"), product="p")
    assert codes(long) == ["seo.description_long"] and "5289" in long[0].message.fr
    assert description_issues(GOOD_BODY, at=Location(2, "Body (HTML)"), product="p") == []
    assert description_issues("", at=Location(2, "Body (HTML)"), product="p") == []


def test_description_punctuation():
    body = GOOD_BODY.replace("Garantie constructeur de 2 ans.", "Garantie constructeur de 2 ans")
    found = description_issues(body, at=Location(2, "Body (HTML)"), product="p")
    assert codes(found) == ["seo.description_punctuation"]
    assert found[0].value.endswith("Garantie constructeur de 2 ans")


@pytest.mark.parametrize("ending", ["ans.", "ans !", "ans ?", "ans…", "ans (voir notice).", "« ans. »", "ans.)",
                                    'ans."'])
def test_description_ending_punctuation_accepted(ending: str):
    body = GOOD_BODY.replace("2 ans.", f"2 {ending}")
    assert description_issues(body, at=Location(2, "Body (HTML)"), product="p") == []


# ---- Meta fields and generation -------------------------------------------------------------------------------

def test_meta_lengths():
    found = meta_issues("x" * 61, "y" * 151,
                        title_at=Location(2, "SEO Title"), description_at=Location(2, "SEO Description"), product="p")
    assert codes(found) == ["seo.meta_title_long", "seo.meta_description_long"]
    assert [i.column for i in found] == ["SEO Title", "SEO Description"]
    assert "61" in found[0].message.fr and "151" in found[1].message.fr
    assert meta_issues("Marteau Stanley 300 g – outil professionnel charpentier",
                       "Marteau Stanley manche bois 300 g, idéal pour charpente.",
title_at=Location(2, "SEO Title"), description_at=Location(2, "SEO Description"), product="p") == []
    assert meta_issues("x" * 60, "y" * 150,
                       title_at=Location(2, "SEO Title"),
                       description_at=Location(2, "SEO Description"), product="p") == []


def test_generate_seo_cuts_on_words():
    title = "Table de jardin extensible en bois d'acacia massif 8 places, pieds inox – marque HESPERIDE"
    seo_title, seo_description = generate_seo(title, GOOD_BODY)
    assert seo_title == "Table de jardin extensible en bois d'acacia massif 8 places"
    assert len(seo_title) <= 60
    assert len(seo_description) <= 150 and seo_description.endswith("…")
    assert seo_description.startswith("Casque audio sans fil à réduction de bruit Ce casque Bluetooth")
    assert " " not in seo_description[-3:]
    assert generate_seo("Marteau !", "Marteau solide.") == ("Marteau", "Marteau solide.")


def test_seo_generated_issues_one_per_filled_cell():
    generated = generate_seo(PROTOOLS_TITLE, PROTOOLS_BODY)
    both = seo_generated_issues("", "", generated,
                                title_at=Location(2, "SEO Title"),
                                description_at=Location(2, "SEO Description"), product="p")
    assert codes(both) == ["seo.generated", "seo.generated"] and both[0].severity is Severity.INFO
    assert [i.column for i in both] == ["SEO Title", "SEO Description"]
    assert "le titre SEO" in both[0].message.fr and PROTOOLS_TITLE in both[0].message.fr
    assert "la description SEO" in both[1].message.fr and both[1].value == generated[1]
    only_description = seo_generated_issues("Perceuse PROTOOLS", " ", generated,
                                            title_at=Location(2, "SEO Title"),
                                            description_at=Location(2, "SEO Description"), product="p")
    assert [i.column for i in only_description] == ["SEO Description"]
    assert "filled in the SEO description" in only_description[0].message.en
    assert seo_generated_issues("a", "b", generated,
                                title_at=Location(2, "SEO Title"),
                                description_at=Location(2, "SEO Description"), product="p") == []


# ---- Alt text -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("alt", "problem"), [
    ("Perceuse à 49,90 €", "prix (49,90 €)"),
    ("Perceuse 19.99€", "prix (19.99€)"),
    ("Perceuse EUR 20", "prix (EUR 20)"),
    ("### Perceuse ***", "caractères spéciaux (# *)"),
    ("Perceuse | promo | 18V", "caractères spéciaux (|)"),
    ("IMG_2041", "caractères spéciaux (_)"),
    ("Perceuse 🔥", "caractères spéciaux (🔥)"),
    ("perceuse sans fil 18v  lithium 2 batteries – marque protools", "reprend le titre"),
])
def test_alt_format(alt: str, problem: str):
    found = alt_issues(alt, title=PROTOOLS_TITLE, at=Location(3, "Image Alt Text"), product="p")
    assert codes(found) == ["alt.format"] and found[0].severity is Severity.WARNING
    assert problem in found[0].message.fr and found[0].column == "Image Alt Text"


@pytest.mark.parametrize("alt", [
    "Marteau de charpentier Stanley manche bois 300 g",
    "Perceuse PROTOOLS 18V avec ses 2 batteries 2 Ah dans le coffret",
    "",
])
def test_alt_fine(alt: str):
    assert alt_issues(alt, title=PROTOOLS_TITLE, at=Location(3, "Image Alt Text"), product="p") == []


# ---- Video links ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=30s",
    "https://m.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://youtu.be/dQw4w9WgXcQ?si=Ab12",
    "https://www.youtube.com/embed/dQw4w9WgXcQ",
    "https://www.youtube.com/shorts/dQw4w9WgXcQ",
    "https://vimeo.com/76979871",
    "https://player.vimeo.com/video/76979871?h=8272103f6e",
    "https://cdn.exemple.fr/videos/perceuse-demo.mp4",
    "https://cdn.exemple.fr/videos/DEMO.MP4?v=2",
    "",
])
def test_video_accepted(url: str):
    assert video_issues(url, at=Location(2, "Video URL"), product="p") == []


@pytest.mark.parametrize("url", [
    "http://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com/channel/UCabcdefghijk",
    "https://www.youtube.com/watch?v=ABCDE12345",  # the FAQ's placeholder: 10 characters, not a video id
    "https://vimeo.com/perceuses",
    "https://www.dailymotion.com/video/x8abcd",
    "https://cdn.exemple.fr/videos/demo.mov",
    "http://cdn.exemple.fr/videos/demo.mp4",
    "https://drive.google.com/file/d/abc/view",
    "vidéo de démonstration",
])
def test_video_refused(url: str):
    found = video_issues(url, at=Location(2, "Video URL"), product="p")
    assert codes(found) == ["video.url"] and found[0].severity is Severity.ERROR
    assert found[0].column == "Video URL"
