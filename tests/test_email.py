"""The seller's emails: composed from real reports, sent to a real SMTP server or filed in the outbox."""

from __future__ import annotations

import re
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from support_smtp import Received, SmtpServer, silent_server, smtp, smtp_server, smtp_tls, unused_port

from catalog.domain.report import ProductResult, Report
from catalog.domain.rules import issue
from catalog.mailer import MailError, SendResult, send_email
from catalog.settings import load_settings
from reports.email import Attachment, compose_rejection_email, compose_report_email, report_subject

__all__ = ["smtp", "smtp_tls"]  # fixtures used by name below

SELLER = "vendeur@atelier-dupont.example"
OPS = "ops@marketplace.example"
SENDER = "Catalogue <catalogue@marketplace.example>"
ANNOTATED_BYTES = "\ufeffHandle,Title,Statut,Erreurs\nperceuse-18v,Perceuse été,refusé,contact.email\n".encode()
HTML_BYTES = b"<!DOCTYPE html><html lang=\"fr\"><body><h1>Rapport d'import</h1></body></html>\n"


def products(accepted: int, refused: int) -> list[ProductResult]:
    out = [ProductResult(handle=f"produit-{i}", rows=[i + 2], status="accepted", codes=[]) for i in range(accepted)]
    out += [ProductResult(handle=f"refus-{i}", rows=[100 + i], status="refused", codes=["contact.email"])
            for i in range(refused)]
    return out


def partial_report(warnings: int = 2) -> Report:
    """4 products accepted, 1 refused for an email in its description, and some SKU warnings."""
    report = Report(kind="full", source="catalogue-mars.csv", row_count=12, products=products(4, 1))
    report.issues = [issue("sku.missing", row=row, column="Variant SKU") for row in range(2, 2 + warnings)]
    report.issues.append(issue("contact.email", row=40, column="Body (HTML)", product="refus-0",
                               found="contact@exemple.fr"))
    return report


def attachments() -> list[Attachment]:
    return [Attachment("catalogue-mars.rapport.html", HTML_BYTES, "text/html"),
            Attachment("catalogue-mars.annote.csv", ANNOTATED_BYTES, "text/csv")]


def compose(report: Report | None = None, **overrides) -> EmailMessage:
    kwargs = {"to": SELLER, "cc": ["compta@atelier-dupont.example"], "ops": OPS, "sender": SENDER,
              "seller_name": "Atelier Dupont SARL", "attachments": attachments(), "run_id": 42}
    kwargs.update(overrides)
    return compose_report_email(report or partial_report(), **kwargs)


def reparse(msg: EmailMessage) -> EmailMessage:
    """What a mail client sees: the message through bytes and back."""
    return BytesParser(policy=policy.default).parsebytes(msg.as_bytes(policy=policy.SMTP))  # type: ignore[return-value]


def bodies(msg: EmailMessage) -> tuple[str, str]:
    text, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


def files(msg: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_payload(decode=True) for part in msg.iter_attachments()}


# ---- composition ----------------------------------------------------------------------------------


def test_subject_says_file_and_counts_in_french_then_english():
    assert reparse(compose())["Subject"] == (
        "[Catalogue] catalogue-mars.csv : 4 produits acceptés, 1 refusé / 4 accepted, 1 refused")


@pytest.mark.parametrize(("kind", "accepted", "refused", "expected"), [
    ("full", 5, 0, "5 produits acceptés / 5 accepted"),
    ("full", 1, 2, "1 produit accepté, 2 refusés / 1 accepted, 2 refused"),
    ("bulk", 2, 1, "2 variantes acceptées, 1 refusée / 2 accepted, 1 refused"),
    ("full", 0, 3, "aucun produit accepté, 3 refusés / no product accepted, 3 refused"),
    ("bulk", 0, 1, "aucune variante acceptée, 1 refusée / no variant accepted, 1 refused"),
])
def test_subject_agrees_in_number_and_gender(kind, accepted, refused, expected):
    report = Report(kind=kind, source="f.csv", products=products(accepted, refused))
    assert report_subject(report) == f"[Catalogue] f.csv : {expected}"


def test_rejected_file_subject_and_body():
    report = Report(kind="full", source="vide.csv", issues=[issue("file.empty")])
    msg = reparse(compose(report, attachments=[]))
    assert msg["Subject"] == "[Catalogue] vide.csv : fichier refusé / file rejected"
    text, _ = bodies(msg)
    assert "FICHIER REFUSÉ" in text and "FILE REJECTED" in text
    assert "Fichier · Le fichier est vide" in text
    assert "attendent la validation" not in text
    assert list(msg.iter_attachments()) == []


def test_when_every_product_is_refused_the_body_says_no_product_was_accepted():
    report = partial_report()
    report.products = products(0, 2)
    msg = reparse(compose(report))
    assert msg["X-Catalog-Status"] == "partial", "the status value stays the spec's"
    text, html = bodies(msg)
    fr, en = text.split("ENGLISH")
    assert "STATUT : AUCUN PRODUIT ACCEPTÉ. 2 produits refusés : corrigez les erreurs ci-dessous" in fr
    assert "STATUS: NO PRODUCT ACCEPTED. 2 products refused: fix the errors below" in en
    assert "IMPORT PARTIEL" not in fr and "PARTLY IMPORTED" not in en
    assert "attendent la validation" not in fr, "nothing waits for moderation"
    assert "Aucun produit accepté.</strong> 2 produits refusés" in html
    assert "No product accepted.</strong> 2 products refused" in html
    assert "Import partiel" not in html and "Partly imported" not in html


def test_one_refused_out_of_one_reads_in_the_singular():
    report = partial_report(warnings=0)
    report.products = products(0, 1)
    text, _ = bodies(reparse(compose(report)))
    assert "STATUT : AUCUN PRODUIT ACCEPTÉ. 1 produit refusé : corrigez" in text
    assert "STATUS: NO PRODUCT ACCEPTED. 1 product refused: fix" in text


def test_structure_is_mixed_with_text_and_html_alternatives_the_html_report_and_the_file_to_fix():
    msg = reparse(compose())
    assert msg.get_content_type() == "multipart/mixed"
    alternative, *attached = msg.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in alternative.iter_parts())
    assert [p.get_content_type() for p in attached] == ["text/html", "text/csv"]
    assert attached[0].get_content().startswith("<!DOCTYPE html>")
    assert attached[1].get_content().startswith("\ufeffHandle,Title,Statut,Erreurs\nperceuse-18v,Perceuse été")
    assert files(msg) == {"catalogue-mars.rapport.html": HTML_BYTES, "catalogue-mars.annote.csv": ANNOTATED_BYTES}


def test_headers_identify_the_message():
    msg = reparse(compose())
    assert re.fullmatch(r"<[^<>@\s]+@marketplace\.example>", msg["Message-ID"])
    assert msg["Date"].datetime is not None
    assert msg["From"].addresses[0].addr_spec == "catalogue@marketplace.example"
    assert msg["To"].addresses[0].display_name == "Atelier Dupont SARL"
    assert msg["X-Catalog-Run"] == "42" and msg["X-Catalog-Status"] == "partial"
    assert msg["Auto-Submitted"] == "auto-generated"


def test_french_comes_first_then_english():
    text, html = bodies(reparse(compose()))
    for body in (text, html):
        assert body.index("Bonjour Atelier Dupont SARL") < body.index("Hello Atelier Dupont SARL")
        assert body.index("Et maintenant") < body.index("ENGLISH") < body.index("What happens next")
        assert body.index("Ligne 40 · Body (HTML)") < body.index("Row 40 · Body (HTML)")


def test_body_explains_status_next_steps_and_the_attached_files():
    text, _ = bodies(reparse(compose()))
    fr, en = text.split("ENGLISH")
    assert "4 produits acceptés, 1 refusé" in fr and "4 products accepted, 1 refused" in en
    assert "attendent la validation de notre équipe de modération" in fr
    assert "corrigez-les et renvoyez-les" in fr
    assert "le seul fichier à corriger" in fr and "the one file to fix" in en
    assert "corrections sûres sont déjà faites" in fr and "« [corrigé] »" in fr
    assert "renvoyez-le tel quel : les colonnes Statut et Erreurs sont ignorées" in fr
    assert "send it back as it is: the Statut and Erreurs columns are ignored" in en
    assert "supprimez" not in fr, "the seller never has to delete our columns"
    assert "Le rapport complet est joint : « catalogue-mars.rapport.html »" in fr
    assert 'The full report is attached: "catalogue-mars.rapport.html"' in en
    assert "Référence de l'import : 42" in fr and "Import reference: 42" in en


def test_issue_lines_give_row_column_message_and_fix():
    text, _ = bodies(reparse(compose()))
    email_issue = issue("contact.email", row=40, column="Body (HTML)", found="contact@exemple.fr")
    assert f"- Ligne 40 · Body (HTML) · {email_issue.message.fr} — {email_issue.fix.fr} [contact.email]" in text
    assert f"- Row 40 · Body (HTML) · {email_issue.message.en} — {email_issue.fix.en} [contact.email]" in text


def test_at_most_ten_issues_errors_first_and_the_rest_counted():
    text, html = bodies(reparse(compose(partial_report(warnings=14))))
    fr = text.split("ENGLISH")[0]
    listed = [line for line in fr.splitlines() if line.startswith("- Ligne ")]
    assert len(listed) == 10
    assert listed[0].startswith("- Ligne 40 · Body (HTML)")  # the error, though its row comes last
    assert listed[1].startswith("- Ligne 2 · Variant SKU")
    assert "… et 5 autres erreurs ou avertissements dans le fichier joint « catalogue-mars.rapport.html »." in fr
    assert "… and 5 more errors or warnings in the attached" in text
    assert html.count("<li style=\"margin-bottom:6px\">") == 20  # ten per language


def test_infos_are_counted_apart_never_listed_nor_in_the_rest():
    report = partial_report(warnings=12)
    report.issues += [issue("seo.generated", row=row, product=f"produit-{row}", fields_fr="le titre SEO",
                            fields_en="the SEO title", generated="Titre") for row in range(2, 40)]
    text, html = bodies(reparse(compose(report)))
    fr, en = text.split("ENGLISH")
    assert "[seo.generated]" not in text and "seo.generated" not in html
    assert "… et 3 autres erreurs ou avertissements" in fr, "13 errors and warnings, 10 listed"
    assert "38 informations (rien à faire : SEO généré, prix convertis…) dans le rapport joint." in fr
    assert "38 infos (nothing to do: generated SEO, converted prices…) in the attached report." in en
    assert "38 informations (rien à faire" in html


def test_an_account_that_is_not_ready_is_told_as_such():
    from catalog.domain.sellers import not_ready_issue

    report = Report(kind="full", source="catalogue-mars.csv", issues=[not_ready_issue(["vat_number"])])
    msg = reparse(compose(report, attachments=[Attachment("catalogue-mars.rapport.html", HTML_BYTES,
                                                          "text/html")]))
    text, html = bodies(msg)
    fr, en = text.split("ENGLISH")
    assert "COMPTE VENDEUR INCOMPLET" in fr and "SELLER ACCOUNT INCOMPLETE" in en
    assert "Configuration > Configuration des factures" in fr and "Configuration > Invoice configuration" in en
    assert "renvoyez le même fichier, sans le modifier" in fr and "send the same file again, unchanged" in en
    for wrong in ("doit être corrigé", "Corrigez le problème", "FICHIER REFUSÉ"):
        assert wrong not in fr
    assert "Compte vendeur incomplet.</strong>" in html and "doit être corrigé" not in html


def test_a_converted_copy_is_offered_ready_to_send_back():
    report = Report(kind="full", source="catalogue-mars.csv", issues=[
        issue("encoding.not_utf8", encoding="Windows-1252", bad_row=3),
        issue("structure.delimiter", found="des points-virgules (;)", found_en="semicolons (;)")])
    converted = Attachment("catalogue-mars.utf8.csv", b"\xef\xbb\xbfHandle,Title\r\n", "text/csv")
    msg = reparse(compose(report, attachments=[converted]))
    text, html = bodies(msg)
    fr, en = text.split("ENGLISH")
    assert "« catalogue-mars.utf8.csv » est votre fichier converti en UTF-8, avec des virgules" in fr
    assert "renvoyez-le tel quel" in fr and "send it back as it is" in en
    assert "Windows-1252" in fr and "points-virgules" in fr, "both problems in the one email"
    assert "lui-même doit être corrigé" not in fr
    assert "catalogue-mars.utf8.csv" in html
    assert files(msg) == {"catalogue-mars.utf8.csv": converted.content}


def test_seller_values_are_escaped_in_html():
    report = partial_report()
    report.source = "<b>mars</b>.csv"
    report.issues.append(issue("price.format", row=3, column="Variant Price", value="<script>alert(1)</script>",
                               example="49.90"))
    msg = reparse(compose(report, seller_name="<script>alert('x')</script> & Cie"))
    text, html = bodies(msg)
    assert "<script>" not in html and "<b>mars" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Cie" in html
    assert "<script>alert(1)</script>" in text  # plain text shows the value as the seller wrote it


def test_cc_is_deduplicated_validated_and_capped_and_ops_is_blind():
    cc = ["compta@atelier-dupont.example", "COMPTA@atelier-dupont.example", "pas une adresse", SELLER.upper(),
          "compta@exémple.fr", "a@b.c", "a@x.example", "b@x.example", "c@x.example", "d@x.example", "e@x.example",
          "evil@x.example\r\nBcc: z@z.fr"]
    msg = reparse(compose(cc=cc))
    assert [a.addr_spec for a in msg["Cc"].addresses] == [
        "compta@atelier-dupont.example", "a@x.example", "b@x.example", "c@x.example", "d@x.example"]
    assert [a.addr_spec for a in msg["Bcc"].addresses] == [OPS]
    assert OPS not in str(msg["To"]) + str(msg["Cc"])


def test_no_ops_copy_when_unset_or_already_a_recipient():
    assert compose(ops=None)["Bcc"] is None
    assert compose(ops="COMPTA@atelier-dupont.example")["Bcc"] is None


def test_header_injection_through_the_file_name_or_name_is_neutralised():
    report = partial_report()
    report.source = "mars.csv\r\nBcc: victim@evil.example"
    msg = reparse(compose(report, seller_name="Dupont\r\nX-Evil: 1"))
    assert msg["Subject"].startswith("[Catalogue] mars.csv Bcc: victim@evil.example : ")
    assert msg.get_all("Bcc") == [OPS] and msg["X-Evil"] is None


@pytest.mark.parametrize("to", ["vendeur@", "vendeur@exémple.fr", "a@b.c"])
def test_invalid_seller_address_is_refused(to: str):
    with pytest.raises(ValueError, match="not a valid address"):
        compose(to=to)


def test_an_invalid_ops_address_gets_no_copy():
    assert compose(ops="ops@exémple.fr")["Bcc"] is None


def test_rejection_email_quotes_the_reason_in_both_languages():
    msg = reparse(compose_rejection_email(
        seller_email=SELLER, cc=["compta@atelier-dupont.example"], sender=SENDER, handle="perceuse-18v",
        reason="Photos floues.\nMerci d'ajouter une photo <img> nette.", source="catalogue-mars.csv",
        seller_name="Atelier Dupont SARL"))
    assert msg["Subject"] == (
        "[Catalogue] perceuse-18v : produit refusé par la modération / product rejected by moderation")
    assert [a.addr_spec for a in msg["To"].addresses] == [SELLER]
    assert [a.addr_spec for a in msg["Cc"].addresses] == ["compta@atelier-dupont.example"]
    text, html = bodies(msg)
    fr, en = text.split("ENGLISH")
    for part in (fr, en):
        assert "> Photos floues.\n> Merci d'ajouter une photo <img> nette." in part
    assert "« perceuse-18v » (fichier « catalogue-mars.csv »)" in fr
    assert '"perceuse-18v" (file "catalogue-mars.csv")' in en
    assert html.index("refusé") < html.index("rejected")
    assert "<img>" not in html and "une photo &lt;img&gt; nette" in html


# ---- sending --------------------------------------------------------------------------------------


def only(server: SmtpServer) -> Received:
    assert len(server.messages) == 1, server.messages
    return server.messages[0]


def test_sends_one_message_to_seller_cc_and_ops(smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch):
    smtp.configure(monkeypatch)
    monkeypatch.setenv("CATALOG_OPS_EMAIL", OPS)
    settings = load_settings(env_file=None)
    msg = compose(ops=settings.ops_email, sender=settings.mail_from)
    result = send_email(msg, settings)
    received = only(smtp)
    assert result == SendResult(mode="smtp", path=None, recipients=[SELLER, "compta@atelier-dupont.example", OPS])
    assert sorted(received.rcpt_tos) == sorted([SELLER, "compta@atelier-dupont.example", OPS])
    assert received.mail_from == "catalogue@localhost"
    assert received.message["Bcc"] is None  # the seller never sees the ops address
    assert OPS.encode() not in received.raw
    assert received.message["Subject"] == msg["Subject"]
    assert files(received.message) == {"catalogue-mars.rapport.html": HTML_BYTES,
                                       "catalogue-mars.annote.csv": ANNOTATED_BYTES}
    assert not received.tls and received.login is None


def test_explicit_recipients_replace_the_headers(smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch):
    smtp.configure(monkeypatch)
    result = send_email(compose(), load_settings(env_file=None), recipients=[OPS, OPS])
    assert result.recipients == [OPS]
    assert only(smtp).rcpt_tos == [OPS]


def test_starttls_and_login_with_the_test_ca(smtp_tls: SmtpServer, monkeypatch: pytest.MonkeyPatch):
    smtp_tls.configure(monkeypatch)
    settings = load_settings(env_file=None)
    assert settings.smtp_starttls and settings.ca_bundle == smtp_tls.ca_pem
    send_email(compose(), settings)
    received = only(smtp_tls)
    assert received.tls and received.login == "robot"
    assert files(received.message)["catalogue-mars.annote.csv"] == ANNOTATED_BYTES


def test_untrusted_certificate_fails_at_once(smtp_tls: SmtpServer, monkeypatch: pytest.MonkeyPatch):
    smtp_tls.configure(monkeypatch)
    monkeypatch.delenv("CATALOG_CA_BUNDLE")
    started = time.monotonic()
    with pytest.raises(MailError, match=r"TLS failed: .*CERTIFICATE_VERIFY_FAILED") as caught:
        send_email(compose(), load_settings(env_file=None), backoff=5)
    assert time.monotonic() - started < 3  # permanent: no retry
    assert "\n" not in str(caught.value)
    assert smtp_tls.messages == []


def test_wrong_password_is_a_clear_error(smtp_tls: SmtpServer, monkeypatch: pytest.MonkeyPatch):
    smtp_tls.configure(monkeypatch)
    monkeypatch.setenv("CATALOG_SMTP_PASSWORD", "wrong")
    with pytest.raises(MailError, match=r"login as robot refused: 535"):
        send_email(compose(), load_settings(env_file=None))
    assert smtp_tls.messages == []


def test_login_is_required_by_the_server(smtp_tls: SmtpServer, monkeypatch: pytest.MonkeyPatch):
    smtp_tls.configure(monkeypatch)
    monkeypatch.delenv("CATALOG_SMTP_USER")
    with pytest.raises(MailError, match=r"530"):
        send_email(compose(), load_settings(env_file=None))


def test_smtp_down_fails_quickly_with_the_reason(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CATALOG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CATALOG_SMTP_PORT", str(unused_port()))
    started = time.monotonic()
    with pytest.raises(MailError, match=r"127\.0\.0\.1:\d+ after 2 attempts: Connection refused") as caught:
        send_email(compose(), load_settings(env_file=None), backoff=0.2)
    assert time.monotonic() - started < 5
    assert "\n" not in str(caught.value)


def test_hung_server_times_out(monkeypatch: pytest.MonkeyPatch):
    with silent_server() as port:
        monkeypatch.setenv("CATALOG_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CATALOG_SMTP_PORT", str(port))
        started = time.monotonic()
        with pytest.raises(MailError, match=r"after 2 attempts: timed out after 0.3 s"):
            send_email(compose(), load_settings(env_file=None), timeout=0.3, backoff=0)
        assert time.monotonic() - started < 5


def test_a_temporary_refusal_is_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with smtp_server(tmp_path, fail_first=1) as server:
        server.configure(monkeypatch)
        result = send_email(compose(), load_settings(env_file=None), backoff=0)
        assert result.mode == "smtp"
        assert server.collector.refusals == 1
        assert len(server.messages) == 1


def test_a_lasting_temporary_refusal_ends_in_mail_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with smtp_server(tmp_path, fail_first=5) as server:
        server.configure(monkeypatch)
        with pytest.raises(MailError, match=r"after 2 attempts: 451 4\.3\.0 Try again later"):
            send_email(compose(), load_settings(env_file=None), backoff=0)
        assert server.collector.refusals == 2 and server.messages == []


def test_without_smtp_host_the_email_lands_in_the_outbox():
    settings = load_settings(env_file=None)
    assert settings.smtp_host is None
    msg = compose()
    first, second = send_email(msg, settings), send_email(msg, settings)
    assert first.mode == "outbox" and first.path is not None and second.path is not None
    assert first.path != second.path
    assert first.path.parent == settings.outbox
    assert re.fullmatch(r"\d{8}T\d{12}Z-catalogue-catalogue-mars-csv-4-produits-acceptes-1-refuse-4\.eml",
                        first.path.name), first.path.name
    assert first.recipients == [SELLER, "compta@atelier-dupont.example", OPS]
    stored = BytesParser(policy=policy.default).parsebytes(first.path.read_bytes())
    assert b"\r\n" in first.path.read_bytes()
    assert stored["Subject"] == msg["Subject"] and stored["Message-ID"] == msg["Message-ID"]
    assert [a.addr_spec for a in stored["Bcc"].addresses] == [OPS]  # the record says who got it
    assert files(stored) == {"catalogue-mars.rapport.html": HTML_BYTES,
                             "catalogue-mars.annote.csv": ANNOTATED_BYTES}
