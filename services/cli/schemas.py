"""`newswire schemas`: the topics' JSON Schemas and AsyncAPI document, exported or checked for drift."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..common.settings import ServiceSettings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    schemas = sub.add_parser(
        "schemas", help="export the JSON Schemas and the topics' AsyncAPI document, or check them for drift"
    )
    schemas.add_argument("action", choices=("export", "check"))
    schemas.add_argument("--dir", help="default: the schemas shipped with the package (the checkout's schemas/)")
    schemas.add_argument(
        "--output",
        help="export only the AsyncAPI document, with this environment's topic names, to this file "
        "(JSON for .json, else YAML; - for standard output)",
    )


def cmd_schemas(args: argparse.Namespace) -> int:
    from ..common.asyncapi import document_drift, export_document, write_document
    from ..common.schemas import REPO_SCHEMAS, export_schemas, schema_drift

    directory = Path(args.dir) if args.dir else REPO_SCHEMAS
    if args.action == "export" and args.output:
        write_document(args.output, ServiceSettings(), directory)
        return 0
    if args.action == "export":
        for path in [*export_schemas(directory), export_document(directory)]:
            print(path)
        return 0
    drift = schema_drift(directory) + document_drift(directory)
    for line in drift:
        print(line)
    return 1 if drift else 0
