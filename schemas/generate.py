#!/usr/bin/env python3
"""Regenerate kubevet's embedded Kubernetes schema bundle.

Downloads a pinned wheel of the PyPI package `kubernetes-validate` (Apache-2.0), verifies
its sha256, reads the strict JSON schemas it ships for every Kubernetes minor version and
writes `schemas/bundle.json.gz`, which `build.rs` splits into static tables for the binary.

Usage (from the repository root):

    python3 schemas/generate.py            # download, verify, write the bundle
    python3 schemas/generate.py --wheel W  # use an already downloaded wheel (still verified)

Bundle layout (JSON, then gzip):

    {
      "format": 1,
      "source": {"package": ..., "version": ..., "sha256": ...},
      "versions": ["1.25", ..., "1.37"],              # oldest first
      "defs": [{"n": "io.k8s.api.apps.v1.Deployment", "s": {...schema...}}, ...],
      "index": {"1.37": [def indexes...], ...}         # which defs make up each version
    }

Identical definitions (same name, same stripped schema) are stored once across versions.
Transformations, all documented in schemas/README.md:
  * `description` and the `x-kubernetes-*` annotations that only matter to the API server
    (list types, patch strategies, ...) are dropped; `x-kubernetes-group-version-kind` is
    kept because it maps apiVersion/kind to a definition.
  * IntOrString and Quantity are `oneOf [string|null, integer|null]` upstream; `null`
    matches both branches, so a `null` fails `oneOf`, and every wrong value yields three
    errors. They become a single `type` list.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "kubernetes-validate"
VERSION = "1.37.0"
WHEEL = "kubernetes_validate-1.37.0-py3-none-any.whl"
SHA256 = "85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9"

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundle.json.gz")

KEEP_X = {"x-kubernetes-group-version-kind"}
DROP = {"description"}

REPLACE = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": ["string", "integer", "null"]},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": ["string", "number", "null"]},
}


def strip(schema):
    """Drops descriptions and server-only annotations from a schema, recursively."""
    if isinstance(schema, list):
        return [strip(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in DROP or (key.startswith("x-") and key not in KEEP_X):
            continue
        if key in ("properties", "patternProperties", "$defs"):
            # Keys here are field names (JSONSchemaProps has a field called `description`).
            out[key] = {k: strip(v) for k, v in value.items()}
        elif key in ("enum", "required", "x-kubernetes-group-version-kind"):
            out[key] = value
        else:
            out[key] = strip(value)
    return out


def fetch_wheel(dest):
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--dest", dest, f"{PACKAGE}=={VERSION}"],
        check=True,
    )
    return os.path.join(dest, WHEEL)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", help="use this wheel instead of downloading it")
    parser.add_argument("--min-version", default="1.25", help="oldest minor version to bundle")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(tmp)
        with open(wheel, "rb") as f:
            data = f.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        sys.exit(f"sha256 mismatch for {wheel}: got {digest}, expected {SHA256}")

    zf = zipfile.ZipFile(io.BytesIO(data))
    pattern = re.compile(r"^kubernetes_validate/kubernetes-json-schema/v(\d+)\.(\d+)\.\d+-local-strict/_definitions\.json$")
    found = []
    for name in zf.namelist():
        m = pattern.match(name)
        if m:
            found.append(((int(m.group(1)), int(m.group(2))), name))
    found.sort()
    lo = tuple(int(x) for x in args.min_version.split("."))
    found = [(v, n) for v, n in found if v >= lo]
    if not found:
        sys.exit("no schema directories found in the wheel")

    defs = []          # [{"n": name, "s": schema}]
    seen = {}          # (name, canonical json) -> index
    index = {}
    versions = []
    for (major, minor), name in found:
        version = f"{major}.{minor}"
        versions.append(version)
        doc = json.loads(zf.read(name))
        members = []
        for def_name, schema in sorted(doc["$defs"].items()):
            schema = REPLACE.get(def_name) or strip(schema)
            key = (def_name, json.dumps(schema, sort_keys=True, separators=(",", ":")))
            if key not in seen:
                seen[key] = len(defs)
                defs.append({"n": def_name, "s": schema})
            members.append(seen[key])
        index[version] = members

    bundle = {
        "format": 1,
        "source": {"package": PACKAGE, "version": VERSION, "sha256": SHA256},
        "versions": versions,
        "defs": defs,
        "index": index,
    }
    raw = json.dumps(bundle, sort_keys=True, separators=(",", ":")).encode()
    # mtime=0 keeps the output byte-for-byte reproducible.
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    with open(OUT, "wb") as f:
        f.write(packed)
    print(f"{len(versions)} versions ({versions[0]}..{versions[-1]}), {len(defs)} unique definitions, "
          f"{len(raw)} bytes raw, {len(packed)} bytes compressed -> {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
