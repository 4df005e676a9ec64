"""``secure reports`` and the proposal behind it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from secure import Secure
from secure.cli import main
from secure.reports import JSONLinesSink, Report
from secure.reports._propose import group_reports, propose

PAGE = "https://app.example/shop?item=1"


def csp(
    directive: str,
    blocked: str,
    *,
    policy: str = "default-src 'self'",
    disposition: str = "enforce",
    url: str = PAGE,
) -> Report:
    return Report(
        type="csp-violation",
        url=url,
        directive=directive,
        blocked=blocked,
        disposition=disposition,
        policy=policy,
    )


# -- the proposal ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        # Governed by default-src: a directive of its own, starting from default-src.
        (
            csp("img-src", "https://img.example/a.png"),
            {"img-src": ["'self'", "https://img.example"]},
        ),
        # -elem/-attr variants fold into their base directive.
        (
            csp("script-src-elem", "https://cdn.example/lib.js"),
            {"script-src": ["'self'", "https://cdn.example"]},
        ),
        # An existing directive on the fallback chain is the one to edit; nonces are dropped.
        (
            csp(
                "script-src-elem",
                "https://cdn.example/lib.js",
                policy="default-src 'none'; script-src 'self' 'nonce-r4nd0m'",
            ),
            {"script-src": ["'self'", "https://cdn.example"]},
        ),
        (
            csp(
                "worker-src",
                "https://w.example/w.js",
                policy="default-src 'self'; child-src 'none'",
            ),
            {"child-src": ["https://w.example"]},
        ),
        (
            csp("frame-ancestors", "https://partner.example/", policy="frame-ancestors 'self'"),
            {"frame-ancestors": ["'self'", "https://partner.example"]},
        ),
        (csp("img-src", "data"), {"img-src": ["'self'", "data:"]}),
        (
            csp("connect-src", "wss://app.example/live"),
            {"connect-src": ["'self'", "wss://app.example"]},
        ),
        # The page's own origin is 'self'.
        (
            csp("connect-src", "https://app.example/api", policy="connect-src 'none'"),
            {"connect-src": ["'self'"]},
        ),
    ],
)
def test_proposal_for_one_report(report: Report, expected: dict[str, list[str]]) -> None:
    proposal = propose([report])
    assert proposal.config == {"csp": expected}
    assert proposal.notes == ()


@pytest.mark.parametrize(
    ("report", "advice"),
    [
        (csp("script-src-elem", "inline"), "nonce"),
        (csp("script-src-attr", "inline"), "not 'unsafe-inline'"),
        (csp("script-src", "eval"), "'unsafe-eval'"),
        (csp("script-src-elem", "data"), "scheme source would run anyone's code"),
        (csp("require-trusted-types-for", "trusted-types-sink"), "Trusted Types"),
        (
            csp(
                "script-src-elem", "https://cdn.example/x.js", policy="script-src 'strict-dynamic'"
            ),
            "'strict-dynamic'",
        ),
        (csp("img-src", "about"), "not a URL"),
    ],
)
def test_what_is_never_proposed(report: Report, advice: str) -> None:
    proposal = propose([report])
    assert proposal.config == {}
    (note,) = proposal.notes
    assert advice in note.advice


def test_report_only_reports_go_to_csp_report_only() -> None:
    proposal = propose(
        [
            csp("img-src", "https://a.example/x", disposition="report"),
            csp("img-src", "https://b.example/x", disposition="enforce"),
        ]
    )
    assert proposal.config == {
        "csp": {"img-src": ["'self'", "https://b.example"]},
        "csp_report_only": {"img-src": ["'self'", "https://a.example"]},
    }


def test_sources_of_several_reports_are_merged_once() -> None:
    reports = [csp("img-src", f"https://img{i % 2}.example/{i}.png") for i in range(10)]
    assert propose(reports).config == {
        "csp": {"img-src": ["'self'", "https://img0.example", "https://img1.example"]}
    }
    (first, second) = group_reports(reports)
    assert (first.count, second.count) == (5, 5)


def test_an_already_allowed_source_gets_a_note() -> None:
    report = csp("img-src", "https://a.example/x", policy="img-src https://a.example")
    (note,) = propose([report]).notes
    assert "predate" in note.advice


def test_proposal_applies_to_the_configuration() -> None:
    config: dict[str, object] = {"preset": "strict"}
    policy = Secure.from_config(config).headers["Content-Security-Policy"]
    reports = [
        csp("script-src-elem", "https://cdn.example/lib.js", policy=policy),
        csp("img-src", "https://img.example/a.png", policy=policy),
    ]
    proposal = propose(reports)
    applied = Secure.from_config({**config, **proposal.config}).headers["Content-Security-Policy"]
    assert "script-src 'self' https://cdn.example;" in applied
    assert "img-src 'self' https://img.example" in applied


# -- the command ----------------------------------------------------------------------------


def write_reports(path: Path) -> None:
    sink = JSONLinesSink(path)
    for _ in range(3):
        sink(csp("script-src-elem", "https://cdn.example/lib.js"))
    sink(
        csp(
            "img-src",
            "https://img.example/a.png",
            disposition="report",
            url="https://app.example/about",
        )
    )
    sink(csp("script-src-elem", "inline"))
    sink(Report(type="deprecation", url="https://app.example/", body={"id": "X"}))
    with path.open("a") as stream:
        stream.write("not json\n\n")
        stream.write(
            json.dumps(
                {
                    "csp-report": {
                        "document-uri": PAGE,
                        "blocked-uri": "eval",
                        "effective-directive": "script-src",
                    }
                }
            )
            + "\n"
        )
        stream.write(json.dumps([{"type": "intervention", "url": PAGE, "body": {}}]) + "\n")
        stream.write(
            json.dumps({"type": "coep", "url": PAGE, "body": {"blockedURL": "https://x.example/"}})
            + "\n"
        )


def test_text_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "reports.jsonl"
    write_reports(path)
    assert main(["reports", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == (
        "9 reports, 1 line skipped\n"
        "\n"
        "Blocked by Content-Security-Policy\n"
        "  count  directive        blocked              pages\n"
        "      3  script-src-elem  https://cdn.example  /shop\n"
        "      1  script-src       eval                 /shop\n"
        "      1  script-src-elem  inline               /shop\n"
        "\n"
        "Reported by Content-Security-Policy-Report-Only (not blocked)\n"
        "  count  directive  blocked              pages\n"
        "      1  img-src    https://img.example  /about\n"
        "\n"
        "Other reports\n"
        "  count  type          detail  pages\n"
        "      1  coep          -       /shop\n"
        "      1  deprecation   -       /\n"
        "      1  intervention  -       /shop\n"
        "\n"
        "Proposed change (shared configuration format; each list replaces the directive's)\n"
        "\n"
        "  [csp]  # Content-Security-Policy\n"
        '  script-src = ["\'self\'", "https://cdn.example"]  # adds https://cdn.example\n'
        "\n"
        "  [csp_report_only]  # Content-Security-Policy-Report-Only\n"
        '  img-src = ["\'self\'", "https://img.example"]  # adds https://img.example\n'
        "\n"
        "Not proposed\n"
        "  script-src eval on /shop (1): eval(): change the code; 'unsafe-eval' would allow "
        "any string to run\n"
        '  script-src-elem inline on /shop (1): inline code: add a nonce ("nonce": true) or a '
        "hash source (secure.nonce.csp_hash), not 'unsafe-inline'\n"
    )
    assert "reports.jsonl:7: skipped: not JSON" in captured.err


def test_json_output_from_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reports.jsonl"
    write_reports(path)
    monkeypatch.setattr("sys.stdin", io.StringIO(path.read_text()))
    assert main(["reports", "-", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reports"] == 9
    assert data["skipped"] == 1
    assert data["proposal"] == {
        "csp": {"script-src": ["'self'", "https://cdn.example"]},
        "csp_report_only": {"img-src": ["'self'", "https://img.example"]},
    }
    assert data["added"]["csp"] == {"script-src": ["https://cdn.example"]}
    assert {n["blocked"] for n in data["notes"]} == {"eval", "inline"}
    assert data["groups"][0] == {
        "type": "csp-violation",
        "disposition": "enforce",
        "directive": "script-src-elem",
        "blocked": "https://cdn.example",
        "count": 3,
        "paths": ["/shop"],
    }


def test_hostile_lines_are_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "reports.jsonl"
    JSONLinesSink(path)(
        Report(
            type="csp-violation\x1b[2J",
            url="https://app.example/\u202eevil\r\npath",
            directive="img-src",
            blocked="weird\x07thing",
        )
    )
    with path.open("a") as stream:
        stream.write("[" * 5000 + "]" * 5000 + "\n")
        stream.write('{"type": "x", "line": ' + "9" * 5000 + "}\n")
        for i in range(12):
            stream.write(f"bad {i}\n")
    assert main(["reports", str(path)]) == 0
    captured = capsys.readouterr()
    assert all(c == "\n" or c.isprintable() for c in captured.out + captured.err)
    assert "\\x1b[2J" in captured.out
    assert "14 lines skipped in all" in captured.err


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["reports", str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_no_reports(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    assert main(["reports", str(path)]) == 0
    assert capsys.readouterr().out == (
        "0 reports\n\nProposed change (shared configuration format; each list replaces the "
        "directive's)\n  (none)\n"
    )
