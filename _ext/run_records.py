"""Sphinx extension: the run records of the chapters as a table.

Each chapter ends with ``resnotes.finish_chapter``, which writes a JSON record
(size, seconds, device, CPU, versions) into ``$RESNOTES_RUN_RECORDS``; the
variable's name, the reading and the order of records come from
:mod:`resnotes.records`, the one definition of the format. This
extension points that variable at ``<build>/run-records`` (beside the
jupyter-cache of the same build, so cached and recorded runs stay together)
before any notebook executes, and renders the records where a page says::

    ```{run-records}
    ```

The table is filled in at write time, after every notebook has been read and
executed, and the page is rewritten on every build.

The same records carry each chapter's checked claims (``resnotes.claim``), and
pages that are not chapters write theirs beside them
(``resnotes.records.write_page_claims``); a page that says::

    ```{claims-ledger}
    ```

gets every claim of the book as one table: page, claim, evidence, verdict, size.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from resnotes.records import RECORDS_ENV_VAR, read_claims, read_records

COLUMNS = ("chapter", "size", "run time", "device", "CPU", "torch", "finished (UTC)")


class run_records_node(nodes.General, nodes.Element):
    pass


class claims_ledger_node(nodes.General, nodes.Element):
    pass


#: Pages other than chapters that make claims: their prefix and document.
CLAIM_PAGES = {"perf": "appendices/performance"}
LEDGER_COLUMNS = ("page", "claim", "evidence", "verdict", "size")


class ClaimsLedgerDirective(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        self.env.metadata[self.env.docname]["resnotes_run_records"] = True
        return [claims_ledger_node()]


class RunRecordsDirective(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        self.env.metadata[self.env.docname]["resnotes_run_records"] = True
        return [run_records_node()]


def records_dir(app: Sphinx) -> Path:
    """``<build>/run-records``; the Chinese edition reads the English build's (same runs)."""
    chosen = app.config.resnotes_run_records
    return Path(chosen) if chosen else Path(app.outdir).parent / "run-records"


def _tr(app: Sphinx, docname: str) -> Any:
    """Text this extension writes, in the edition's language (_ext/editions.py)."""
    from editions import translator

    words = translator(app)
    return lambda text: words(text, docname)


def _set_env(app: Sphinx) -> None:
    folder = records_dir(app)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[RECORDS_ENV_VAR] = str(folder)
    # No progress bars in the built pages: in a notebook they are widgets whose
    # pages would load require.js and the widget manager from CDNs. A reader's
    # own Jupyter still shows them. Set here so that a plain `jupyter-book build .`
    # behaves like `make book`.
    os.environ.setdefault("RESNOTES_PROGRESS", "0")


def _chapter_doc(app: Sphinx, chapter: str) -> str | None:
    match = re.fullmatch(r"ch(\d+)", chapter)
    if not match:
        return None
    prefix = f"chapters/{int(match.group(1)):02d}_"
    found = sorted(d for d in app.env.found_docs if d.startswith(prefix))
    return found[0] if found else None


def _table(rows: list[list[nodes.Node]], columns: tuple[str, ...] = COLUMNS,
           cls: str = "run-records", tr: Any = str) -> nodes.table:
    table = nodes.table(classes=[cls])
    group = nodes.tgroup(cols=len(columns))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in columns)
    head = nodes.thead()
    group += head
    head += nodes.row("", *[nodes.entry("", nodes.paragraph(text=tr(c))) for c in columns])
    body = nodes.tbody()
    group += body
    for cells in rows:
        body += nodes.row("", *[nodes.entry("", nodes.paragraph("", "", c)) for c in cells])
    return table


def _fill(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(run_records_node))
    if not placeholders:
        return
    records = read_records(records_dir(app))
    tr = _tr(app, docname)
    rows: list[list[nodes.Node]] = []
    for r in records:
        doc = _chapter_doc(app, r["chapter"])
        label: nodes.Node = nodes.Text(r["chapter"])
        if doc is not None:
            title = app.env.titles[doc].astext() if doc in app.env.titles else doc
            uri = app.builder.get_relative_uri(docname, doc)
            label = nodes.reference("", f"{r['chapter']}: {title}", internal=True, refuri=uri)
        rows.append([label, nodes.Text(r["size"]), nodes.Text(f"{r['seconds']:.0f} s"),
                     nodes.Text(r["device"]), nodes.Text(f"{r['cpu']} ({r['cpu_count']} cores)"),
                     nodes.Text(r["torch"]), nodes.Text(r["finished"].replace("T", " ")[:16])])
    recorded = {r["chapter"] for r in records}
    missing = sorted(d for d in app.env.found_docs
                     if re.match(r"chapters/\d\d_", d) and
                     f"ch{int(d.split('/')[1][:2])}" not in recorded)
    for node in placeholders:
        out: list[nodes.Node] = []
        if rows:
            out.append(_table(rows, tr=tr))
        else:
            out.append(nodes.paragraph(text=tr("No chapter has written a run record in this build.")))
        if missing:
            out.append(nodes.paragraph(
                text=tr("Chapters without a run record in this build (not notebooks yet, or "
                        "executed before records were kept):") + " " + ", ".join(missing)))
        node.replace_self(out)


def _page_link(app: Sphinx, docname: str, page: str) -> nodes.Node:
    doc = _chapter_doc(app, page) or CLAIM_PAGES.get(page)
    if doc is None or doc not in app.env.found_docs:
        return nodes.Text(page)
    title = app.env.titles[doc].astext() if doc in app.env.titles else doc
    return nodes.reference("", title, internal=True, refuri=app.builder.get_relative_uri(docname, doc))


def _evidence(c: dict[str, Any], tr: Any = str) -> str:
    numbers = "; ".join(f"{tr(name)}: " + ", ".join(f"{v:.4g}" for v in vals)
                        for name, vals in c["numbers"].items())
    return f"{tr(c['relation'])} ({numbers})" if numbers else tr(c["relation"])


#: What the ledger says of a claim's requirement, and of a contradicted claim (make locale
#: puts these in words.po: the Chinese edition translates them).
KINDS = {"all": "checked: must hold on every one", "any": "checked: must hold on at least one",
         None: "reported, wording chosen from the data"}
CONTRADICTED = "CONTRADICTED"


def _verdict(c: dict[str, Any], tr: Any = str) -> str:
    kind = KINDS[c["require"]]
    mark = tr(CONTRADICTED) + ", " if c["contradicted"] else ""
    return f"{tr(c['verdict'])} ({mark}{tr(kind)})"


def _fill_ledger(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(claims_ledger_node))
    if not placeholders:
        return
    claims = read_claims(records_dir(app))
    tr = _tr(app, docname)
    rows = [[_page_link(app, docname, page), nodes.Text(tr(c["text"])), nodes.Text(_evidence(c, tr)),
             nodes.Text(_verdict(c, tr)), nodes.Text(c["size"])] for page, c in claims]
    checked = [c for _, c in claims if c["require"] is not None]
    summary = (f"{len(claims)} claims from {len({p for p, _ in claims})} pages: {len(checked)} checked "
               f"({sum(c['status'] == 'holds' for c in checked)} hold on every seed or repeat), "
               f"{len(claims) - len(checked)} reported with wording chosen from their data; "
               f"{sum(c['contradicted'] for _, c in claims)} contradicted by their data.")
    for node in placeholders:
        out: list[nodes.Node] = [nodes.paragraph(text=tr(summary))] if claims else [
            nodes.paragraph(text=tr("No page has recorded a claim in this build."))]
        if rows:
            out.append(_table(rows, LEDGER_COLUMNS, "claims-ledger", tr))
        node.replace_self(out)


def _always_outdated(app: Sphinx, env: Any, added: set[str], changed: set[str],
                     removed: set[str]) -> list[str]:
    return [d for d, meta in env.metadata.items() if meta.get("resnotes_run_records")]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("resnotes_run_records", "", "env", [str])
    app.add_node(run_records_node)
    app.add_directive("run-records", RunRecordsDirective)
    app.add_node(claims_ledger_node)
    app.add_directive("claims-ledger", ClaimsLedgerDirective)
    app.connect("doctree-resolved", _fill_ledger)
    app.connect("builder-inited", _set_env)
    app.connect("doctree-resolved", _fill)
    app.connect("env-get-outdated", _always_outdated)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
