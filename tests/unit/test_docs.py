"""The docs never send a reader to files they do not have: every rule or decision identifier that README.md or
docs/*.md cites is explained in docs/rules.md, and every repository path they name in backticks exists."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# R06, REP-24, POL-8, M15a, CNT-3, WAR-7, NOT-11, SWI-2, RBW-5, S004 (a source document of the specification)
IDENTIFIER = re.compile(r"\b(R\d\d|(?:REP|POL|CNT|WAR|NOT|SWI|RBW)-\d+|M\d\d[ab]?|S00\d)\b")


def cited() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in DOCS:
        for identifier in IDENTIFIER.findall(path.read_text(encoding="utf-8")):
            found.setdefault(identifier, set()).add(path.name)
    return found


def test_every_cited_identifier_is_in_the_glossary():
    rules = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    glossary = set(re.findall(r"^\| (\S+) \|", rules, flags=re.M))

    assert {"R06", "REP-24", "POL-17", "M20"} <= glossary  # the glossary's tables are read
    assert {identifier: sorted(files) for identifier, files in cited().items() if identifier not in glossary} == {}


def test_backticked_repository_paths_exist():
    path_like = re.compile(r"`((?:config|docs|reporting|scripts|static|supervision|templates|tests|workload|bench)"
                           r"/[A-Za-z0-9_./-]+)`")
    missing = sorted(
        {(doc.name, name) for doc in DOCS for name in path_like.findall(doc.read_text(encoding="utf-8"))
         if "*" not in name and "<" not in name and not (REPO / name.rstrip("/")).exists()}
    )
    assert missing == []
