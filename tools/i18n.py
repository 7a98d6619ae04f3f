"""The Chinese edition: ``python -m tools i18n {extract,build,compile,check,stats}``.

The book is written in English; the Chinese edition is the same notebooks, executed
once, with the prose translated through Sphinx's gettext workflow:

``extract``
    Sphinx's gettext builder (through Jupyter Book, notebooks not executed) writes one
    ``.pot`` per page to ``_build/gettext/``; the words that the code computes (glued
    sentences, figure descriptions, the claims ledger; see ``_ext/zh_words.py``) are
    added as ``words.pot`` from the last Chinese build's list; ``sphinx-intl update``
    then brings ``locale/zh_CN/LC_MESSAGES/*.po`` up to date: new messages arrive
    untranslated, changed ones fuzzy, and :func:`check` fails on both until a
    translator has dealt with them (``make locale``).
``build``
    The Chinese edition beside an English build (``--root``: ``.`` or ``_build/smoke``),
    from the same jupyter-cache and run records, into ``<root>/_build/html/zh/``
    (``make book``, ``make test``).
``compile``
    The ``.po`` files to ``.mo`` files under ``_build/locale/`` for the Chinese build.
    A notebook's translated message is parsed outside the notebook, where a glue role
    finds no data, so every ``{glue:...}`` role of a notebook's messages is rewritten
    to the cross-document form (``{glue:text}`03_residual_blocks.ipynb::key:.1%```).
    Translators write the roles as the English does.
``check``
    Every message translated and none fuzzy; each translation keeps its English
    message's glue roles, citations, cross references, math, inline code and link
    targets; where a glossary term (the intro's table) appears in English its Chinese
    term appears in the translation (a translator may exempt a message with a
    comment ``noterm: <English term>`` when the word has another sense there).
``stats``
    Messages per catalogue: total, translated, fuzzy, untranslated.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
import zh_words  # noqa: E402  (the template form of computed words, shared with the build)

LANGUAGE = "zh_CN"
LOCALE = ROOT / "locale"
CATALOGUES = LOCALE / LANGUAGE / "LC_MESSAGES"
POT_DIR = ROOT / "_build" / "gettext" / "_build" / "gettext"
COMPILED = Path("_build") / "locale"
WORDS = "words"  # the catalogue of computed words (not a page)
WORDS_USED = "words-used.json"  # written by the Chinese build (_ext/editions.py)

__all__ = ["derived_config", "extract", "compile_catalogues", "check", "stats", "glossary_terms",
           "markup", "rewrite_glue", "main"]

# --------------------------------------------------------------------------- config

# Sphinx settings that both the gettext build and the Chinese build need: one
# catalogue per page (the page's docname), no source locations (they would hold
# this machine's paths), no ids that change on every extraction.
GETTEXT_SETTINGS = {"gettext_compact": False, "gettext_location": False, "gettext_uuid": False,
                    "gettext_auto_build": False}


def derived_config(out: Path, changes: dict[str, Any], execute: str | None = None,
                   root: Path = ROOT, top: dict[str, Any] | None = None) -> Path:
    """A copy of ``_config.yml`` at ``out/_config.yml`` with ``changes`` made to its Sphinx
    config and ``top`` to its own keys (a dict merged into the key's); paths that Jupyter
    Book takes relative to the config file made absolute."""
    cfg = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    sphinx = cfg.setdefault("sphinx", {})
    sphinx["local_extensions"] = {k: str((root / v).resolve())
                                  for k, v in sphinx.get("local_extensions", {}).items()}
    config = sphinx.setdefault("config", {})
    config["html_extra_path"] = [str((root / p).resolve()) for p in config.get("html_extra_path", [])]
    cfg["bibtex_bibfiles"] = [str((root / p).resolve()) for p in cfg.get("bibtex_bibfiles", [])]
    config.update(changes)
    if execute is not None:
        cfg.setdefault("execute", {})["execute_notebooks"] = execute
    for key, value in (top or {}).items():
        cfg[key] = {**cfg.get(key, {}), **value} if isinstance(value, dict) else value
    out.mkdir(parents=True, exist_ok=True)
    path = out / "_config.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _run(cmd: Sequence[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


# --------------------------------------------------------------------------- extract

def _sample(node: Any) -> str | None:
    """A value's text as the code would print it, with a number for every placeholder."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(str(part.value))
            elif isinstance(part, ast.FormattedValue):
                spec = _sample(part.format_spec) if part.format_spec is not None else ""
                out.append(format(0.5, spec) if spec else "2")
        return "".join(out)
    return None


def choose_wordings(root: Path = ROOT) -> set[str]:
    """Every wording a chapter may glue through ``Claim.choose`` (all three outcomes, not
    only the one this build's data picked) or as either branch of a conditional
    (``glue(key, "below" if ... else "above")``), as templates: a smaller run may pick another."""
    import ast
    import json

    found: set[str] = set()
    for path in sorted((root / "chapters").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            if ".choose(" not in source:
                continue
            code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                              for line in source.splitlines())
            for node in ast.walk(ast.parse(code)):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name == "choose":
                    values = [kw.value for kw in node.keywords]
                elif name == "glue" and len(node.args) > 1:
                    # glue("key", "below" if ... else "above"): both branches
                    values, todo = [], [node.args[1]]
                    while todo:
                        v = todo.pop()
                        if isinstance(v, ast.IfExp):
                            todo += [v.body, v.orelse]
                        else:
                            values.append(v)
                else:
                    continue
                for value in values:
                    text = _sample(value)
                    if text and zh_words.needs_translation(text):
                        found.add(zh_words.template(text)[0])
    return found


def stored_words(root: Path = ROOT) -> set[str]:
    """Glued text in the chapters' stored outputs (the book-size run that the plain notebooks
    show) and the data set's class names (a chapter glues one, whichever the run picks)."""
    import json
    from ast import literal_eval

    from resnotes.data import CLASSES
    from tools.plain import glue_values

    found = {name for name in CLASSES if zh_words.needs_translation(name)}
    for path in sorted((root / "chapters").glob("*.ipynb")):
        for bundle in glue_values(json.loads(path.read_text(encoding="utf-8"))).values():
            try:
                value = literal_eval(bundle.get("text/plain", ""))
            except (SyntaxError, ValueError):
                continue
            if isinstance(value, str) and zh_words.needs_translation(value):
                found.add(zh_words.template(value)[0])
    return found


def verdict_words() -> set[str]:
    """Every form of a claim's verdict (resnotes.Claim.verdict, for seeds and repeats, any
    outcome) and the ledger's words for a claim's kind: a run may give any of them."""
    from resnotes.claims import Claim, compare
    from run_records import CONTRADICTED, KINDS

    found = {CONTRADICTED, *KINDS.values()}
    for unit in ("seed", "repeat"):
        for n, k in ((1, 1), (1, 0), (2, 2), (3, 3), (3, 0), (3, 2)):
            a = [1.0] * k + [0.0] * (n - k)
            claim = Claim("ch0_x", "x", compare(a, ">", [0.5] * n, unit=unit), None, "smoke")
            found.add(zh_words.template(claim.verdict)[0])
    return found


def words_pot(used: Path | None, pot: Path, root: Path = ROOT) -> int:
    """``words.pot``: the computed English texts that the Chinese build looked up (its list,
    ``words-used.json``), every wording of ``Claim.choose`` and the glued text of the stored
    outputs, as templates."""
    import json

    import polib

    found = choose_wordings(root) | stored_words(root) | verdict_words()
    if used is not None:
        for keys in json.loads(used.read_text(encoding="utf-8")).values():
            found.update(keys)
    cat = polib.POFile(wrapwidth=0)
    cat.metadata = {"Content-Type": "text/plain; charset=UTF-8", "MIME-Version": "1.0",
                    "Content-Transfer-Encoding": "8bit"}
    for text in sorted(found):
        cat.append(polib.POEntry(msgid=text, msgstr=""))
    pot.parent.mkdir(parents=True, exist_ok=True)
    cat.save(str(pot))
    return len(cat)


def extract(zh_build: Path | None = None) -> int:
    """Refresh ``locale/zh_CN/LC_MESSAGES`` from the English prose (see the module's doc)."""
    cfg = derived_config(ROOT / "_build" / "gettext", GETTEXT_SETTINGS, execute="off")
    shutil.rmtree(POT_DIR, ignore_errors=True)
    _run([_bin("jupyter-book"), "build", ".", "--builder", "custom", "--custom-builder", "gettext",
          "--config", str(cfg), "--path-output", str(ROOT / "_build" / "gettext")])
    listed = (zh_build or ROOT / "_build" / "zh" / "_build") / WORDS_USED
    if not listed.is_file():
        print(f"note: {listed} is missing (build the Chinese edition once: make book); "
              "words.pot holds only the wordings of Claim.choose")
    used = listed if listed.is_file() else None
    print(f"words.pot: {words_pot(used, POT_DIR / (WORDS + '.pot'))} computed texts")
    _run([_bin("sphinx-intl"), "update", "-p", str(POT_DIR), "-l", LANGUAGE, "-d", str(LOCALE),
          "-w", "0"])
    return stats([])


# --------------------------------------------------------------------------- compile

GLUE_ROLE = re.compile(r"\{(glue(?::[a-z]*)?)\}`([^`]+)`")


def rewrite_glue(text: str, notebook: str) -> str:
    """Each glue role of ``text`` in the cross-document form that names ``notebook``."""
    def one(m: re.Match[str]) -> str:
        role, content = m.group(1), m.group(2)
        if "::" in content:
            return m.group(0)
        if role == "glue:text" and ":" not in content:
            # myst-nb splits a text role at its last colon: without a format the
            # cross-document form would lose its key, so give it the default, s
            content += ":s"
        return "{%s}`%s::%s`" % (role, notebook, content)

    return GLUE_ROLE.sub(one, text)


def compile_catalogues(out: Path = COMPILED, root: Path = ROOT) -> int:
    """Every ``.po`` to ``out/zh_CN/LC_MESSAGES/<page>.mo``, glue rewritten; returns the count."""
    import polib

    src = root / "locale" / LANGUAGE / "LC_MESSAGES"
    dest = out / LANGUAGE / "LC_MESSAGES"
    shutil.rmtree(dest, ignore_errors=True)
    n = 0
    for po_path in sorted(src.rglob("*.po")):
        rel = po_path.relative_to(src).with_suffix("")
        notebook = (root / rel).with_suffix(".ipynb")
        po = polib.pofile(str(po_path))
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"  # the .mo must say so
        po.metadata_is_fuzzy = False  # sphinx-intl's new-catalogue flag: not a message
        if notebook.is_file():
            for e in po:
                if e.msgstr:
                    e.msgstr = rewrite_glue(e.msgstr, notebook.name)
        target = dest / rel.with_suffix(".mo")
        target.parent.mkdir(parents=True, exist_ok=True)
        po.save_as_mofile(str(target))
        n += 1
    return n


# --------------------------------------------------------------------------- build

ZH_TITLE = "resnotes：残差网络与 CNN 操作，用实测说话"  # the intro's title in intro.po
ZH_AUTHOR = "resnotes 作者"


def zh_config(build_root: Path, root: Path = ROOT) -> Path:
    """The Chinese edition's ``_config.yml``: the English one in Chinese, reading the English
    build's jupyter-cache and run records (the same executions), and the compiled catalogues."""
    build_root = build_root.resolve()
    baseurl = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")).get("html", {}).get("baseurl")
    return derived_config(build_root / "_build" / "zh", {
        **GETTEXT_SETTINGS,
        "language": LANGUAGE,
        "locale_dirs": [str(build_root / "_build" / "zh" / "locale")],
        "resnotes_edition": "zh",
        "resnotes_other_edition": "../",
        "resnotes_words_po": str(root / "locale" / LANGUAGE / "LC_MESSAGES" / f"{WORDS}.po"),
        "resnotes_run_records": str(build_root / "_build" / "run-records"),
        "resnotes_plain_notebooks": "notebooks/zh",
        # myst-nb's buttons on folded code cells ({type}: source or outputs, in English)
        "nb_code_prompt_show": "显示代码单元格",
        "nb_code_prompt_hide": "隐藏代码单元格",
    }, root=root, top={
        "title": ZH_TITLE, "author": ZH_AUTHOR,
        "execute": {"cache": str(build_root / "_build" / ".jupyter_cache")},
        "html": {"baseurl": baseurl.rstrip("/") + "/zh/"} if baseurl else {},
    })


def build_zh(build_root: Path, sphinx_args: Sequence[str] = ("-W", "-n", "--keep-going")) -> int:
    """Build the Chinese edition beside the English one: ``<build_root>/_build/html/zh/``.

    The English edition must have been built first at the same ``build_root``: the
    Chinese one shows its executions (jupyter-cache) and its run records.
    """
    build_root = build_root.resolve()
    cache = build_root / "_build" / ".jupyter_cache"
    if not cache.is_dir():
        print(f"error: no English build at {build_root} (no {cache}): build the English edition "
              "first (make book), the Chinese one shows the same executions", file=sys.stderr)
        return 1
    n = compile_catalogues(build_root / "_build" / "zh" / "locale")
    print(f"Chinese edition: {n} catalogues compiled")
    cfg = zh_config(build_root)
    out = build_root / "_build" / "zh"
    env = {k: v for k, v in os.environ.items() if k != "RESNOTES_PROGRESS"}
    # --all: Sphinx does not notice that a compiled catalogue changed, and would keep a
    # page's earlier translation; every page is re-read (from the cache: nothing executes)
    done = subprocess.run([_bin("jupyter-book"), "build", ".", "--all", *sphinx_args, "--config",
                           str(cfg), "--path-output", str(out)], cwd=ROOT, env=env)
    if done.returncode:
        return done.returncode
    site = build_root / "_build" / "html" / "zh"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(out / "_build" / "html", site)
    print(f"Chinese edition: {site}")
    return 0


# --------------------------------------------------------------------------- check

ROLE = re.compile(r"\{([A-Za-z][\w:.-]*)\}`([^`]*)`")
MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$(?!\s)[^$]+?(?<!\s)\$", re.S)
CODE = re.compile(r"(?<![`{}])`([^`]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
CJK = re.compile(r"[\u3400-\u9fff]")
# roles whose content is a name (label, key, document, citation) that must not change;
# for {ref}/{doc}/{numref}/{term} with an explicit title, only the part in <...>
NAMED_ROLES = ("glue", "ref", "doc", "numref", "eq", "cite", "footcite", "term", "download", "abbr")


def markup(text: str) -> Counter[str]:
    """What a translation must keep of a message: roles (their target), math, code, links."""
    found: Counter[str] = Counter()
    rest = text
    for m in ROLE.finditer(text):
        name, content = m.group(1), m.group(2)
        base = name.split(":")[0]
        target = content
        explicit = re.match(r"^(.*?)\s*<([^<>]+)>$", content, re.S)
        if explicit and base in ("ref", "doc", "numref", "term", "download"):
            target = explicit.group(2)
        if base in NAMED_ROLES:
            found[f"{{{name}}}`{target}`"] += 1
        else:
            found[f"{{{name}}}"] += 1
    rest = ROLE.sub(" ", rest)
    for m in MATH.finditer(rest):
        found[m.group(0)] += 1
    rest = MATH.sub(" ", rest)
    for m in CODE.finditer(rest):
        found[f"`{m.group(1)}`"] += 1
    for m in LINK.finditer(rest):
        found[f"link {m.group(1)}"] += 1
    for m in FOOTNOTE.finditer(rest):
        found[m.group(0)] += 1
    return found


@dataclass(frozen=True)
class Term:
    english: tuple[str, ...]  # the English words, any of which marks the term
    chinese: tuple[str, ...]  # the Chinese words, one of which the translation must use


def _pieces(cell: str) -> list[str]:
    return [p.strip() for p in re.split(r"[/,()（）]", cell) if p.strip()]


def glossary_terms(intro: Path = ROOT / "intro.md") -> list[Term]:
    """The terminology: the intro's glossary table (Chinese | English | where)."""
    text = intro.read_text(encoding="utf-8")
    start = text.index("(sec-glossary)=")
    terms = []
    for line in text[start:].splitlines()[3:]:
        if line.startswith("## "):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not CJK.search(cells[0]):
            continue
        if cells[1] == "English":
            continue
        zh = [p for p in _pieces(cells[0]) if CJK.search(p) and "[" not in p]
        # a Chinese term may drop a generic tail (加法操作: 加法; 注意力机制: 注意力)
        zh += [p[:-2] for p in zh if p.endswith(("操作", "机制", "问题")) and len(p) > 3]
        english = re.sub(r"\([^)]*\)", "", cells[1].split(":")[0])
        en = [p.strip() for p in re.split(r"[/,;]", english) if len(p.strip()) > 2 and "[" not in p]
        # "vanishing / exploding gradients": each part is a term with the last word
        if len(en) > 1 and len(en[-1].split()) == 2 and all(p.endswith("ing") for p in en[:-1]):
            tail = en[-1].split()[-1]
            en = [p if len(p.split()) > 1 else f"{p} {tail}" for p in en]
        terms.append(Term(tuple(en), tuple(dict.fromkeys(zh))))
    return terms


def _english_pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in term.split()]
    # singular or plural, British or American -ise/-ize
    body = r"\s+".join(words).replace("is", "i[sz]") if term.endswith(("isation", "ise")) else r"\s+".join(words)
    return re.compile(r"(?<![\w-])" + body + r"(?:s|es)?(?![\w-])", re.I)


KEEP_ENGLISH = "keep-english"
LATEX = re.compile(r"\\[A-Za-z]+|\\.|[_^]\{[^{}]*\}")


def _prose_words(msgid: str) -> list[str]:
    """The English words of a message outside roles, math, code and LaTeX (a display
    equation's message has none: it stays as it is, like a name such as ``ResNet-18``)."""
    prose = CODE.sub(" ", MATH.sub(" ", ROLE.sub(" ", msgid)))
    if "\\" in prose and "$" not in msgid:  # a display-math message: all of it is LaTeX
        return []
    return re.findall(r"[A-Za-z]{3,}", LATEX.sub(" ", prose))


def check_entry(e: Any, terms: Sequence[Term], words: bool = False) -> list[str]:
    """What is wrong with one catalogue entry (empty when nothing)."""
    problems = []
    if not e.msgstr:
        return ["untranslated"]
    if "fuzzy" in e.flags:
        problems.append("fuzzy (the English changed: review the translation, then remove the flag)")
    if words:
        if zh_words.placeholders(e.msgstr) != zh_words.placeholders(e.msgid):
            problems.append(f"placeholders differ: English {zh_words.placeholders(e.msgid)}, "
                            f"Chinese {zh_words.placeholders(e.msgstr)}")
        if zh_words.needs_translation(e.msgid) and not CJK.search(e.msgstr):
            problems.append("the translation has no Chinese")
        return problems
    en, zh = markup(e.msgid), markup(e.msgstr)
    if en != zh:
        lost, added = en - zh, zh - en
        if lost:
            problems.append("lost: " + ", ".join(sorted(lost)))
        if added:
            problems.append("added: " + ", ".join(sorted(added)))
    keep = KEEP_ENGLISH in (e.tcomment or "")
    if e.msgstr == e.msgid and not keep and not CJK.search(e.msgid) and len(_prose_words(e.msgid)) >= 2:
        problems.append(f"left in English (if on purpose, e.g. the glossary's English column, add "
                        f"the comment '{KEEP_ENGLISH}')")
    if keep:
        return problems
    exempt = {m.strip().lower() for c in (e.tcomment or "").splitlines()
              if c.strip().startswith("noterm:") for m in c.split(":", 1)[1].split(",")}
    plain_en = CODE.sub(" ", ROLE.sub(" ", e.msgid))
    for t in terms:
        if any(x.lower() in exempt for x in t.english) or not t.chinese:
            continue
        if any(_english_pattern(x).search(plain_en) for x in t.english):
            if not any(z in e.msgstr for z in t.chinese):
                problems.append(f"term: '{' / '.join(t.english)}' should read "
                                f"{' / '.join(t.chinese)} (or add the comment 'noterm: {t.english[0]}')")
    return problems


def catalogues(paths: Iterable[str] = ()) -> list[Path]:
    chosen = [Path(p) for p in paths]
    return chosen or sorted(CATALOGUES.rglob("*.po"))


def check(paths: Sequence[str]) -> int:
    """Print every problem of the catalogues (all by default); 1 if there is any."""
    import polib

    terms = glossary_terms()
    bad = 0
    for path in catalogues(paths):
        words = path.stem == WORDS and path.parent == CATALOGUES
        for e in polib.pofile(str(path)):
            if e.obsolete:
                continue
            for p in check_entry(e, terms, words=words):
                bad += 1
                short = e.msgid if len(e.msgid) < 90 else e.msgid[:87] + "..."
                print(f"{path}: {p}\n    {short!r}")
    print(f"{bad} problem(s)")
    return 1 if bad else 0


def check_words(path: str) -> int:
    """Check translations of computed words kept as JSON ({template: translation})."""
    import json

    import polib

    bad = 0
    for msgid, msgstr in json.loads(Path(path).read_text(encoding="utf-8")).items():
        for p in check_entry(polib.POEntry(msgid=msgid, msgstr=msgstr), [], words=True):
            bad += 1
            print(f"{p}\n    {msgid[:100]!r}")
    print(f"{bad} problem(s)")
    return 1 if bad else 0


def apply_words(path: str) -> int:
    """Put translations of computed words kept as JSON into words.po (the msgids it has)."""
    import json

    import polib

    table = json.loads(Path(path).read_text(encoding="utf-8"))
    po_path = CATALOGUES / f"{WORDS}.po"
    po = polib.pofile(str(po_path), wrapwidth=0)
    n = 0
    for e in po:
        if e.msgid in table:
            e.msgstr = table[e.msgid]
            if "fuzzy" in e.flags:
                e.flags.remove("fuzzy")
            n += 1
    po.save(str(po_path))
    print(f"{n} of {len(table)} translations applied to {po_path.name}")
    return 0


def stats(paths: Sequence[str]) -> int:
    import polib

    total = done = fuzzy = 0
    for path in catalogues(paths):
        po = polib.pofile(str(path))
        live = [e for e in po if not e.obsolete]
        f = sum("fuzzy" in e.flags for e in live)
        t = sum(bool(e.msgstr) and "fuzzy" not in e.flags for e in live)
        total, done, fuzzy = total + len(live), done + t, fuzzy + f
        print(f"{len(live):5d} {t:5d} {f:5d} {len(live) - t - f:5d}  "
              f"{path.resolve().relative_to(CATALOGUES)}")
    print(f"{total:5d} {done:5d} {fuzzy:5d} {total - done - fuzzy:5d}  (messages, translated, fuzzy, "
          "untranslated)")
    return 0


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools i18n", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("extract", help="refresh locale/ from the English prose (make locale)")
    b = sub.add_parser("build", help="the Chinese edition beside an English build (make book)")
    b.add_argument("--root", default=".", help="the English build's root (., or _build/smoke)")
    # further options go to jupyter-book build (default: -W -n --keep-going)
    c = sub.add_parser("compile", help="the .po files to .mo files for the Chinese build")
    c.add_argument("--out", default=str(COMPILED))
    for name in ("check-words", "apply-words"):
        w = sub.add_parser(name, help="translations of computed words as JSON {template: translation}")
        w.add_argument("json")
    for name in ("check", "stats"):
        s = sub.add_parser(name)
        s.add_argument("po", nargs="*", help="catalogues (default: all)")
    args, extra = parser.parse_known_args(argv)
    if extra and args.cmd != "build":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.cmd == "extract":
        return extract()
    if args.cmd == "build":
        return build_zh(Path(args.root), extra or ("-W", "-n", "--keep-going"))
    if args.cmd == "compile":
        print(f"{compile_catalogues(Path(args.out))} catalogues compiled to {args.out}")
        return 0
    if args.cmd == "check":
        return check(args.po)
    if args.cmd == "check-words":
        return check_words(args.json)
    if args.cmd == "apply-words":
        return apply_words(args.json)
    return stats(args.po)
