"""`just codegen-db --check` catches every way generated code drifts from its SQL."""

import shutil
from pathlib import Path

from foundation.settings import REPO_ROOT
from tools.codegen_db.run import generate_all, orphans, stale


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "database").mkdir()
    shutil.copy(REPO_ROOT / "database" / "schema.sql", tmp_path / "database" / "schema.sql")
    feature = tmp_path / "product" / "notes"
    feature.mkdir(parents=True)
    (feature / "queries.sql").write_text("-- name: ListNotes :many\nSELECT id, body FROM org_notes;\n")
    return tmp_path


def test_fresh_code_passes_and_every_drift_is_reported(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    module = tree / "product" / "notes" / "queries.py"
    assert stale(tree) == ["product/notes/queries.py is missing"]

    assert generate_all(tree) == [module]
    assert stale(tree) == []

    module.write_text(module.read_text() + "# edited by hand\n")
    assert stale(tree) == ["product/notes/queries.py is stale"]

    generate_all(tree)
    (tree / "product" / "notes" / "queries.sql").write_text(
        "-- name: ListNotes :many\nSELECT id, body, created_at FROM org_notes;\n"
    )
    assert stale(tree) == ["product/notes/queries.py is stale"]

    (tree / "product" / "notes" / "queries.sql").unlink()
    assert orphans(tree) == [module]
    assert stale(tree) == ["product/notes/queries.py has no queries.sql any more"]
