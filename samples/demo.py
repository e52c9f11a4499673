"""`make demo`: the whole ingestion job on the embedded defaults, offline.

Loads the sample sellers, serves the sample pictures over a local HTTPS
server (a throwaway CA, trusted through CATALOG_CA_BUNDLE; loopback fetches
allowed for this run only), ingests the example catalogue through the Prefect
flow, and says where the report, the email and the moderation queue are.
The HTTPS server is the one the test suite uses.
"""

from __future__ import annotations

import mimetypes
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT), str(ROOT / "tests")]

SELLER = "atelier-dupont"


def main() -> int:
    from make_samples import generate
    from support_servers import https_server

    from catalog.settings import load_settings
    from catalog.store import Store

    settings = load_settings()
    demo = settings.data_dir / "demo"
    with https_server() as server:
        images = demo / "images"
        files = generate(demo, server.base_url, images)
        for path in sorted((images / "produits").iterdir()):
            server.add(f"/produits/{path.name}", path.read_bytes(),
                       content_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        os.environ["CATALOG_ALLOW_PRIVATE_NETWORKS"] = "true"
        os.environ["CATALOG_CA_BUNDLE"] = str(server.write_ca_bundle(demo / "demo-ca.pem"))

        from catalog.sellers import load_sellers_file

        with Store.open(settings.db_url) as store:
            store.upsert_sellers(load_sellers_file(HERE / "sellers.yaml"))

        from pipelines.runtime import configure_prefect

        configure_prefect(settings)
        from pipelines.ingest_full_csv import ingest_full_csv

        print(f"Ingesting {files['catalogue-exemple.csv']} for {SELLER} (images served on {server.base_url}) …")
        outcome = ingest_full_csv(str(files["catalogue-exemple.csv"]), SELLER)

    with Store.open(settings.db_url) as store:
        pending = store.list_moderation(status="pending", seller=SELLER)
    s = outcome.report.summary()
    print()
    print("Done.")
    print(f"  status     : {outcome.report.status} — {s['accepted']} products accepted, {s['refused']} refused, "
          f"{s['errors']} errors, {s['warnings']} warnings")
    for kind, path in outcome.files.items():
        print(f"  {kind:<10} : {path.resolve()}")
    print(f"  email      : {outcome.email_path.resolve() if outcome.email_path else outcome.email_status}")
    print(f"  queue      : {len(pending)} pending in {settings.db_url}")
    print("               see it with: .venv/bin/catalog moderation list --status pending")
    print("               approve with: .venv/bin/catalog moderation approve ID")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
