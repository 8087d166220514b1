"""`salesctl schema`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import BadInput, WorkspaceError
from ..model.config import Config
from ..model.records import COLLECTIONS
from ..query.query import resolve_collection
from ..query.schema import file_schema, workspace_schema
from . import app_context, global_options


@click.command()
@click.argument("collection", required=False)
@click.option("-o", "--output-dir", "directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="Write COLLECTION.schema.json (every collection when none is named) into DIR "
                   "instead of printing.")
@global_options
def schema(collection, directory):
    """Print the JSON Schema (draft 2020-12) of the record files of COLLECTION, or of every
    collection, for an editor's YAML language server: completion, hover help and red squiggles.

    Approval stages and review indicators come from the workspace's salesctl.yaml (the defaults
    outside a workspace). See the README for the editor settings.

    \b
    Example:
      salesctl schema customers > customers.schema.json
      salesctl schema -o .salesctl/schema
    """
    names = [resolve_collection(collection)] if collection else list(COLLECTIONS)
    config = _config()
    if directory is None:
        document = file_schema(names[0], config) if collection else workspace_schema(config)
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name in names:
            target = directory / f"{name}.schema.json"
            target.write_text(json.dumps(file_schema(name, config), ensure_ascii=False, indent=2) + "\n",
                              encoding="utf-8")
            click.echo(f"wrote {target}", err=True)
    except OSError as exc:
        raise BadInput(f"cannot write {directory}: {exc.strerror or exc}") from None


def _config() -> Config:
    """The workspace's config; outside a workspace the defaults (with a note), since the record
    formats do not depend on one."""
    try:
        return app_context().load().config
    except WorkspaceError as exc:
        click.echo(f"note: {exc}; using the default approval chain and review indicators", err=True)
        return Config()
