"""Every example in docs/ runs, and the site builds with ``mkdocs build --strict``.

The convention for every page:

* each ```python (or ```py) block runs; the blocks of one page run in order in one
  namespace, and top-level ``await`` is allowed;
* each ```console block is a terminal session: a line ``$ secure ...`` (or
  ``$ python -m secure ...``) runs the command, and the lines up to the next ``$``
  are its expected standard output (a line ``...`` matches any number of lines);
* a block of another language whose fence carries ``title="NAME"`` is written to the
  file NAME first, so a page can show a ``secure.toml`` and then use it;
* ``<!-- docs-test: skip -->`` on the line before a block leaves that block out;
* an example shows the code a reader pastes, and whatever only the test needs (a test
  client, Django's ``settings.configure``, the checks of what the example did) goes in a
  hidden block: an HTML comment that the site does not render, run in order with the
  visible blocks::

      <!-- docs-test: hidden
      ```python
      response = app.test_client().get("/")
      assert response.headers["X-Frame-Options"] == "DENY"
      ```
      -->

* in a visible block, a top-level ``print(...)`` followed by ``# `` comment lines must
  print exactly those lines (the comment shows the reader the output);
* in a visible block, a top-level statement followed by a line ``# raises ValueError``
  (or ``# raises ValueError: text``, where the message must contain ``text``, and a
  ``...`` in it stands for anything) must raise that exception: a reader sees the mistake
  and the error it gets.

Each page runs in a fresh interpreter (``python THIS_FILE PAGE``) in an empty temporary
directory, as a reader would run it, so one page's set-up (Django settings, say) never
leaks into another's.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
import traceback
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SKIP_MARKER = "<!-- docs-test: skip -->"
HIDDEN_OPEN = "<!-- docs-test: hidden"
HIDDEN_CLOSE = "-->"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_TITLE = re.compile(r"""title=(?:"([^"]+)"|'([^']+)'|(\S+))""")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    language: str
    title: str | None
    code: str
    line: int  # 1-based line of the opening fence
    skip: bool
    hidden: bool = False  # inside a <!-- docs-test: hidden ... --> comment


def parse_blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown page, indented ones (tabs, admonitions) too."""
    lines = text.splitlines()
    blocks: list[Block] = []
    hidden = False
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            if lines[i].strip() == HIDDEN_OPEN:
                hidden = True
            elif hidden and lines[i].strip() == HIDDEN_CLOSE:
                hidden = False
            i += 1
            continue
        indent, fence, info = match["indent"], match["fence"], match["info"].strip()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines):
            stripped = lines[i].strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                break
            line = lines[i]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1
        previous = next(
            (lines[j].strip() for j in range(start - 1, -1, -1) if lines[j].strip()), ""
        )
        language = info.split()[0].lstrip(".{").rstrip("}").lower() if info else ""
        title = _TITLE.search(info)
        blocks.append(
            Block(
                language=language,
                title=next((g for g in title.groups() if g), None) if title else None,
                code="\n".join(body) + "\n",
                line=start + 1,
                skip=previous == SKIP_MARKER,
                hidden=hidden,
            )
        )
    return blocks


def _warning_options() -> list[str]:
    """The project's pytest ``filterwarnings`` as ``-W`` options: examples obey them too."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the strictest setting
        return ["-W", "error"]
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    filters = config.get("tool", {}).get("pytest", {}).get("ini_options", {})
    # pytest applies later entries first; -W applies later options first too.
    return [arg for f in filters.get("filterwarnings", ["error"]) for arg in ("-W", f)]


def _pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


# -- running one page (in the child interpreter) ------------------------------------------


class ExampleError(Exception):
    """A docs example failed; the message says which block and why."""


_RAISES = re.compile(r"^# raises (?P<name>[A-Za-z_][\w.]*)(?::\s*(?P<pattern>.*?))?\s*$")


@contextlib.contextmanager
def _expect_raises(exception: type[BaseException], pattern: str | None) -> Iterator[None]:
    try:
        yield
    except exception as exc:
        regex = ".*".join(re.escape(part.strip()) for part in (pattern or "").split("..."))
        if not re.search(regex, str(exc), re.S):
            raise ExampleError(f"{exc!r} does not match {pattern!r}") from exc
    else:
        raise ExampleError(f"expected {exception.__name__}, nothing was raised")


@contextlib.contextmanager
def _expect_output(expected: list[str]) -> Iterator[None]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        yield
    actual = [line.rstrip() for line in out.getvalue().rstrip("\n").split("\n")]
    if actual != [line.rstrip() for line in expected]:
        raise ExampleError(
            "printed output differs from the comment below it\n--- page\n"
            + "\n".join(expected)
            + "\n--- actual\n"
            + "\n".join(actual)
        )


def _is_print(node: ast.stmt) -> bool:
    call = node.value if isinstance(node, ast.Expr) else None
    return (
        isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print"
    )


def expand_checks(source: str) -> str:
    """Turn the two checks readers see into code; line numbers stay those of the page.

    A top-level statement followed by ``# raises Name[: text]`` runs inside
    ``with __docs_raises__(Name, text):`` (the comment's line makes room for the ``with``).
    A top-level ``print(...)`` followed by ``# `` comment lines must print exactly those
    lines: ``with __docs_prints__([...]): print(...)`` on the same line.
    """
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    tree = compile(source, "<example>", "exec", flags=flags)
    lines = source.splitlines()
    for node in reversed(tree.body):
        end = node.end_lineno or node.lineno
        first = node.lineno - 1
        match = _RAISES.match(lines[end]) if end < len(lines) else None
        if match is not None:
            body = ["    " + line for line in lines[first:end]]
            guard = f"with __docs_raises__({match['name']}, {match['pattern']!r}):"
            lines[first : end + 1] = [guard, *body]
            continue
        if _is_print(node):
            expected: list[str] = []
            for line in lines[end:]:
                if not (line == "#" or line.startswith("# ")) or _RAISES.match(line):
                    break
                expected.append(line[2:])
            if expected:
                lines[first] = f"with __docs_prints__({expected!r}): {lines[first]}"
    return "\n".join(lines) + "\n"


def _run_python(block: Block, namespace: dict[str, object], page: str) -> None:
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    namespace.setdefault("__docs_raises__", _expect_raises)
    namespace.setdefault("__docs_prints__", _expect_output)
    code = compile(expand_checks(block.code), f"{page}:{block.line}", "exec", flags=flags)
    try:
        result = eval(code, namespace)
        if asyncio.iscoroutine(result):
            asyncio.run(result)
    except ExampleError as exc:
        raise ExampleError(f"{page}:{block.line}: {exc}") from exc


def _expected_pattern(expected: list[str]) -> re.Pattern[str]:
    parts = [
        r"(?:.*\n)*?" if line.strip() == "..." else re.escape(line) + r"\n" for line in expected
    ]
    return re.compile("".join(parts))


def _run_console(block: Block, page: str) -> None:
    from secure.cli import main

    sessions: list[tuple[str, list[str]]] = []
    for line in block.code.splitlines():
        if line.startswith("$ "):
            sessions.append((line[2:], []))
        elif sessions:
            sessions[-1][1].append(line.rstrip())
        elif line.strip():
            raise ExampleError(f"{page}:{block.line}: console block must start with '$ '")
    for command, expected in sessions:
        argv = shlex.split(command)
        if argv[:1] == ["secure"]:
            argv = argv[1:]
        elif argv[:3] == ["python", "-m", "secure"]:
            argv = argv[3:]
        else:
            raise ExampleError(
                f"{page}:{block.line}: only 'secure' commands run in ```console blocks; "
                f"show {command!r} in a ```bash block instead"
            )
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(argv)
            except SystemExit as exc:  # --help and argparse errors exit
                status = exc.code if isinstance(exc.code, int) else 1
        if status != 0:
            raise ExampleError(
                f"{page}:{block.line}: '{command}' exited with {status}\n{err.getvalue()}"
            )
        while expected and not expected[-1]:
            expected.pop()
        actual = "\n".join(line.rstrip() for line in out.getvalue().rstrip("\n").split("\n"))
        if not _expected_pattern(expected).fullmatch(actual + "\n"):
            raise ExampleError(
                f"{page}:{block.line}: output of '{command}' differs from the page\n"
                f"--- page\n" + "\n".join(expected) + "\n--- actual\n" + actual
            )


def run_page(path: Path) -> int:
    """Run every example of ``path`` in the current directory; 0 when all pass."""
    page = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    # The page's namespace is a real, importable module, as a reader's script would be:
    # Django's ROOT_URLCONF = __name__, pickling and dataclasses need that. It is not
    # "__main__", so an `if __name__ == "__main__": app.run()` in an example stays idle.
    module = types.ModuleType("__docs__")
    sys.modules[module.__name__] = module
    namespace: dict[str, object] = module.__dict__
    for block in parse_blocks(path.read_text(encoding="utf-8")):
        if block.skip:
            continue
        try:
            if block.language in ("python", "py"):
                _run_python(block, namespace, page)
            elif block.language == "console":
                _run_console(block, page)
            elif block.title is not None:
                Path(block.title).parent.mkdir(parents=True, exist_ok=True)
                Path(block.title).write_text(block.code, encoding="utf-8")
        except ExampleError as exc:
            print(exc, file=sys.stderr)
            return 1
        except BaseException:
            print(f"{page}:{block.line}: the example raised", file=sys.stderr)
            traceback.print_exc()
            return 1
    return 0


# -- the tests ------------------------------------------------------------------------------

PAGES = _pages()


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_examples_run(page: Path, tmp_path: Path) -> None:
    blocks = parse_blocks(page.read_text(encoding="utf-8"))
    if not any(b.language in ("python", "py", "console") and not b.skip for b in blocks):
        pytest.skip("no runnable example on this page")
    result = subprocess.run(
        [sys.executable, *_warning_options(), __file__, str(page)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_docs_have_examples() -> None:
    python_blocks = [
        b
        for p in PAGES
        for b in parse_blocks(p.read_text(encoding="utf-8"))
        if b.language == "python"
    ]
    assert len(python_blocks) > 20, "the docs lost their examples"


def _message_strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def _slug(heading: str) -> str:
    text = re.sub(r"[^\w\s-]", "", heading.strip().lower())
    return re.sub(r"[\s]+", "-", text)


SOURCES = sorted((ROOT / "packages").glob("*/src/**/*.py"))


def test_messages_point_at_documentation_pages() -> None:
    """No message names a repository path; every docs_url(...) page and anchor exists."""
    pages = 0
    for source in SOURCES:
        for line, text in _message_strings(source):
            assert not re.search(r"\bdocs/\S*\.md", text), f"{source}:{line}: {text!r}"
        for match in re.finditer(r"docs_url\(['\"]([^'\"]+)['\"]\)", source.read_text()):
            page, _, anchor = match[1].partition("#")
            doc = DOCS / page
            assert doc.is_file(), f"{source}: docs_url({match[1]!r}): no docs/{page}"
            if anchor:
                headings = re.findall(r"^#+ (.+)$", doc.read_text(encoding="utf-8"), re.M)
                assert anchor in {_slug(h) for h in headings}, (source, match[1])
            pages += 1
    assert pages >= 3


def test_parser_handles_tabs_titles_and_skip() -> None:
    text = (
        '=== "Flask"\n\n'
        '    ```python title="app.py"\n'
        "    x = 1\n"
        "    if x:\n"
        "        y = 2\n"
        "    ```\n\n"
        f"{SKIP_MARKER}\n"
        "````python\n"
        "raise SystemExit\n"
        "````\n"
    )
    first, second = parse_blocks(text)
    assert first == Block("python", "app.py", "x = 1\nif x:\n    y = 2\n", 3, skip=False)
    assert second.skip
    assert second.code == "raise SystemExit\n"


def test_parser_marks_hidden_blocks() -> None:
    text = (
        "```python\nshown = 1\n```\n\n"
        f"{HIDDEN_OPEN}\n```python\nassert shown == 1\n```\n{HIDDEN_CLOSE}\n\n"
        "```python\nagain = 2\n```\n"
    )
    assert [b.hidden for b in parse_blocks(text)] == [False, True, False]


def test_hidden_blocks_are_not_rendered(tmp_path: Path) -> None:
    pytest.importorskip("markdown", reason="Python-Markdown is in the 'docs' dependency group")
    import markdown

    text = (
        f"Shown.\n\n{HIDDEN_OPEN}\n```python\nsecret_check = 1\n\nassert 1\n```\n"
        f"{HIDDEN_CLOSE}\n\nAfter.\n"
    )
    html = markdown.markdown(text, extensions=["pymdownx.superfences"])
    visible = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    assert "secret_check" not in visible, html
    assert "Shown." in visible and "After." in visible


def _run_example(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    page = tmp_path / "page.md"
    page.write_text(f"```python\n{code}```\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, __file__, str(page)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_raises_comment(tmp_path: Path) -> None:
    ok = 'x = 1\nint("nope")\n# raises ValueError: invalid ... base 10\ny = x + 1\nassert y == 2\n'
    assert _run_example(tmp_path, ok).returncode == 0
    # Nothing raised, the wrong message, or the wrong exception: each fails the page.
    for code in (
        'int("1")\n# raises ValueError\n',
        'int("nope")\n# raises ValueError: other words\n',
        'int("nope")\n# raises KeyError\n',
    ):
        assert _run_example(tmp_path, code).returncode == 1, code


def test_print_comment(tmp_path: Path) -> None:
    ok = 'x = "a; b"\nprint(x)\n# a; b\nprint(\n    1,\n    2,\n)\n# 1 2\nprint("not checked")\n'
    assert _run_example(tmp_path, ok).returncode == 0
    failed = _run_example(tmp_path, 'print("a")\n# b\n')
    assert failed.returncode == 1
    assert "printed output differs" in failed.stderr


def test_expand_checks_keeps_line_numbers() -> None:
    source = "a = 1\nf(\n    2,\n)\n# raises TypeError: needs\nb = 2\n"
    expanded = expand_checks(source)
    assert expanded.splitlines() == [
        "a = 1",
        "with __docs_raises__(TypeError, 'needs'):",
        "    f(",
        "        2,",
        "    )",
        "b = 2",
    ]


def test_expected_output_wildcard() -> None:
    pattern = _expected_pattern(["a", "...", "d"])
    assert pattern.fullmatch("a\nb\nc\nd\n")
    assert pattern.fullmatch("a\nd\n")
    assert not pattern.fullmatch("a\nb\n")


def build_site(site_dir: Path) -> None:
    """``mkdocs build --strict`` into ``site_dir``; skips without the docs toolchain."""
    pytest.importorskip("mkdocs", reason="mkdocs is in the 'docs' dependency group")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        # Material's end-of-life notice; README.md (development notes) says why we stay.
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    build_site(tmp_path)
    assert (tmp_path / "index.html").is_file()

    # The API reference: one page per package, generated from the docstrings.
    for page, anchor in [
        ("secure", "secure.Secure.from_config"),
        ("secure", "secure.headers.ContentSecurityPolicy"),
        ("secure", "secure.config.read_config_file"),
        ("secure-flask", "secure_flask.Secure"),
        ("secure-django", "secure_django.SecureHeadersMiddleware"),
        ("secure-fastapi", "secure_fastapi.SecureMiddleware"),
        ("secure-shiny", "secure_shiny.secure_app"),
    ]:
        html = (tmp_path / "api" / page / "index.html").read_text(encoding="utf-8")
        assert f'id="{anchor}"' in html, (page, anchor)

    # The navigation in the order readers need it.
    home = (tmp_path / "index.html").read_text(encoding="utf-8")
    sections = ["Getting started", "Frameworks", "Configuration", "Presets", "Headers"]
    found = [re.search(rf">\s*{re.escape(name)}\s*<", home) for name in sections]
    assert all(found), sections
    positions = [match.start() for match in found if match]
    assert positions == sorted(positions), positions

    # Hidden blocks stay out of what readers see.
    flask = (tmp_path / "frameworks" / "flask" / "index.html").read_text(encoding="utf-8")
    assert "test_client" in flask  # in the page's source, inside HTML comments
    assert "test_client" not in re.sub(r"<!--.*?-->", "", flask, flags=re.S)


if __name__ == "__main__":
    raise SystemExit(run_page(Path(sys.argv[1]).resolve()))
