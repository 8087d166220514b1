"""What a draft may take and where its templates may read: time, memory, growth, links."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import docx  # the [docx] extra, part of [dev]
import pytest

from salesctl.draft import render as draft
from salesctl.draft.render import render
from salesctl.errors import DraftError

CONTEXT = {"contract": {"id": "CT-1", "amount": 1000}}
FORKS = hasattr(os, "fork")
ADDRESS_SPACE_LIMITED = FORKS and Path("/proc/self/statm").is_file()  # Linux


def workspace_templates(tmp_path: Path, files: dict[str, str]) -> Path:
    """A workspace `tmp_path/ws` whose templates/ folder holds `files`; returns templates/."""
    folder = tmp_path / "ws" / "templates"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def refusal(templates: Path, template: str = "t", **options) -> DraftError:
    with pytest.raises(DraftError) as err:
        render(CONTEXT, template=template, workspace_templates_dir=templates, **options)
    return err.value


# ---------------------------------------------------------------------------
# Growth: refused before it happens, the operation named
# ---------------------------------------------------------------------------

GROWTH = {
    # 9**1000 has 955 digits (1000 * log10 9 = 954.2); raised to 1000 it would have
    # 1000 * 954.24 = 954,243 digits
    "power": ("{{ ((9**1000)**1000)**1000 }}", "power would have about 954,243 digits, more than 4,300"),
    # 10**4000 has 4,001 digits in 13,288 bits; the product at least 13,288 + 13,288 - 1 = 26,575 bits,
    # 26,575 / log2(10) = 7,999.9: 8,000 digits
    "product": ("{{ (10**4000) * (10**4000) }}", "product would have about 8,000 digits, more than 4,300"),
    "lipsum": ("{{ lipsum(n=1000000)|length }}",
               "lipsum of 1,000,000 paragraphs of up to 100 words is too large (at most 100 of 1,000)"),
    "percent-width": ("{{ '%0999999999d' % 1 }}", "format width 999999999 is too large"),
    "percent-star": ("{{ '%*d' % (99999999, 1) }}", "width 99999999 is too large"),
    "format-filter": ("{{ '%099999999d'|format(1) }}", "format width 99999999 is too large"),  # 0: a flag
    "brace-width": ("{{ '{:>50000000}'.format(1) }}", "format width 50000000 is too large"),
    "brace-nested": ("{{ '{:>{}}'.format(1, 99999999) }}", "width 99999999 is too large"),
    "format-map": ("{{ '{:>{w}}'.format_map({'w': 99999999}) }}", "width 99999999 is too large"),
    "method-by-item": ("{{ 'x'['center'](99999999) }}", "width 99999999 is too large"),
    # 2,999 separators of 999,999 characters: 2,999 * 999,999 = 2,998,997,001
    "join-filter": ("{{ range(3000)|join('x'*999999) }}", "join result would be 2,998,997,001 long, more than 1,000,000"),
    # 9 items of 999,999 and 8 separators of 1: 8,999,991 + 8 = 8,999,999
    "join-method": ("{{ 'x'.join(['a'*999999]*9) }}", "join result would be 8,999,999 long, more than 1,000,000"),
    # 1,000 characters, each replaced by 1,001: 1,000 + 1,000 * 1,000 = 1,001,000
    "replace": ("{{ ('x'*1000)|replace('x', 'y'*1001) }}", "replace result would be 1,001,000 long, more than 1,000,000"),
    # doubling from 1 character: after 19 rounds 524,288, the 20th would make 1,048,576
    "doubling": ("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
                 "concatenation would be 1,048,576 long, more than 1,000,000"),
    # 500,000 line breaks, each followed by 10 spaces at most: 1,000,000 + 500,000 * 10 = 6,000,000
    "indent": ("{{ ('x\\n'*500000)|indent(10) }}", "indented text would be 6,000,000 long, more than 1,000,000"),
    "batch-fill": ("{{ [1]|batch(999999999, 'x')|list }}", "width 999999999 is too large"),
}


@pytest.mark.parametrize("name", sorted(GROWTH))
def test_growth_is_refused_naming_the_operation(tmp_path, name):
    text, reason = GROWTH[name]
    templates = workspace_templates(tmp_path, {"t.md.j2": "line one\n" + text + "\n"})
    started = time.monotonic()
    err = refusal(templates)
    assert str(err) == f"templates/t.md.j2:2: refused by the template sandbox: {reason}"
    assert time.monotonic() - started < 5


def test_ordinary_uses_of_the_checked_operations_still_work(tmp_path):
    templates = workspace_templates(tmp_path, {"t.md.j2": (
        "{{ 2 ** 10 }} {{ 3 * 4 }} {{ 'ab' * 2 }} {{ 'a' + 'b' }} {{ '%05.1f|%s|%%' % (2.25, 'x') }} "
        "{{ '%d'|format(150000) }} {{ '{:>6}|{:,}'.format('x', 1234567) }} {{ '编号 1234567：{}'.format(1) }} "
        "{{ range(3)|join(',') }} {{ '-'.join(['a', 'b']) }} {{ 'a-b'|replace('-', '--') }} "
        "{{ 'x'|center(5) }}|{{ 12345678|center(10) }}|{{ lipsum(2, false)|length > 0 }}\n")})
    # 2.25 rounds to 2.2 (binary 2.25 is exact: round half to even)
    assert render(CONTEXT, template="t", workspace_templates_dir=templates) == (
        "1024 12 abab ab 002.2|x|% 150000      x|1,234,567 编号 1234567：1 0,1,2 a-b a--b   x  | 12345678 |True\n")


# ---------------------------------------------------------------------------
# Time and memory: whatever the checks miss is stopped
# ---------------------------------------------------------------------------

needs_fork = pytest.mark.skipif(not FORKS, reason="drafts run under limits only where os.fork exists")


@needs_fork
def test_a_draft_running_too_long_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(draft, "MAX_SECONDS", 1)
    # a loop over characters: no range, so no step count; two million million steps
    templates = workspace_templates(tmp_path, {
        "t.md.j2": "{% for c in 'x' * 999999 %}{% for d in 'x' * 999999 %}{% endfor %}{% endfor %}\n"})
    started = time.monotonic()
    err = refusal(templates)
    assert str(err) == "templates/t.md.j2: stopped: the draft took longer than 1 s"
    assert err.path == "templates/t.md.j2"
    assert time.monotonic() - started < 5


@pytest.mark.skipif(not ADDRESS_SPACE_LIMITED, reason="the memory limit needs fork and Linux's /proc")
def test_a_draft_taking_too_much_memory_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(draft, "MAX_MEMORY_MB", 64)
    # `~` builds a new string each round: 2**40 characters if nothing stopped it
    templates = workspace_templates(tmp_path, {"t.md.j2": (
        "line one\n{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
        "{{ ns.s | length }}\n")})
    err = refusal(templates)
    assert str(err) == "templates/t.md.j2:2: stopped: the draft needs more than 64 MB of memory"
    # this process was not limited: it can still take what the draft could not
    assert len("x" * (128 * 2**20)) == 128 * 2**20


@needs_fork
def test_docx_templates_run_under_the_same_limits(tmp_path, monkeypatch):
    templates = workspace_templates(tmp_path, {})
    for name, text in (("slow", "{% for c in 'x' * 999999 %}{% for d in 'x' * 999999 %}{% endfor %}{% endfor %}"),
                       ("big", "{{ lipsum(n=1000000) }}")):
        document = docx.Document()
        document.add_paragraph(text)
        document.save(str(templates / f"{name}.docx"))
    assert str(refusal(templates, "big", fmt="docx")).startswith(
        "templates/big.docx (paragraph '{{ lipsum(n=1000000) }}'): refused by the template sandbox: lipsum of 1,000,000")
    monkeypatch.setattr(draft, "MAX_SECONDS", 1)
    assert str(refusal(templates, "slow", fmt="docx")) == "templates/slow.docx: stopped: the draft took longer than 1 s"


@needs_fork
def test_interrupting_a_draft_ends_its_child(tmp_path):
    templates = workspace_templates(tmp_path, {
        "t.md.j2": "{% for c in 'x' * 999999 %}{% for d in 'x' * 999999 %}{% endfor %}{% endfor %}\n"})

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with pytest.raises(KeyboardInterrupt):
            render(CONTEXT, template="t", workspace_templates_dir=templates)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    with pytest.raises(ChildProcessError):  # no child left running or unreaped
        os.waitpid(-1, os.WNOHANG)


@needs_fork
def test_a_child_that_dies_is_reported_not_hung(tmp_path, monkeypatch):
    monkeypatch.setattr(draft, "markdown_to_docx", lambda *a, **k: os.kill(os.getpid(), signal.SIGTERM))
    templates = workspace_templates(tmp_path, {"t.md.j2": "# {{ contract.id }}\n"})
    assert str(refusal(templates, fmt="docx")) == (
        "templates/t.md.j2: stopped: rendering ended unexpectedly (signal SIGTERM); it may have run out of memory")


@needs_fork
def test_a_bug_while_rendering_keeps_its_traceback(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(draft, "markdown_to_docx", broken)
    templates = workspace_templates(tmp_path, {"t.md.j2": "# {{ contract.id }}\n"})
    with pytest.raises(RuntimeError) as err:
        render(CONTEXT, template="t", fmt="docx", workspace_templates_dir=templates)
    assert str(err.value) == "while rendering templates/t.md.j2: KeyError: 'boom'"
    if sys.version_info >= (3, 11):
        assert "in broken" in err.value.__notes__[0]


# ---------------------------------------------------------------------------
# Links and names: templates are read only from inside the workspace
# ---------------------------------------------------------------------------

@pytest.fixture
def secret(tmp_path) -> Path:
    """A file beside the workspace, as ~/.ssh/id_rsa is beside a cloned one."""
    path = tmp_path / "outside" / "id_rsa.md.j2"
    path.parent.mkdir()
    path.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n", encoding="utf-8")
    return path


def test_a_template_linking_outside_the_workspace_is_refused(tmp_path, secret):
    templates = workspace_templates(tmp_path, {})
    (templates / "contract.md.j2").symlink_to(secret)
    err = refusal(templates, "contract")
    assert str(err) == (f"templates/contract.md.j2: refused by the template sandbox: template 'contract.md.j2' "
                        f"leads to {secret.resolve()}, outside the workspace")


@pytest.mark.parametrize("tag", [
    "{% include 'keys/id_rsa.md.j2' %}",
    "{% extends 'keys/id_rsa.md.j2' %}",
    "{% import 'keys/id_rsa.md.j2' as keys %}",
    "{% from 'keys/id_rsa.md.j2' import x %}",
], ids=["include", "extends", "import", "from-import"])
def test_include_extends_import_of_a_linked_folder_outside_are_refused(tmp_path, secret, tag):
    templates = workspace_templates(tmp_path, {"t.md.j2": "line one\n" + tag + "\n"})
    (templates / "keys").symlink_to(secret.parent, target_is_directory=True)
    err = refusal(templates)
    assert str(err) == (f"templates/t.md.j2:2: refused by the template sandbox: template 'keys/id_rsa.md.j2' "
                        f"leads to {secret.resolve()}, outside the workspace")


@pytest.mark.parametrize("name,shown", [
    ("../salesctl.yaml", "../salesctl.yaml"),
    ("partials/../../salesctl.yaml", "partials/../../salesctl.yaml"),
    ("shipped/../../../etc/passwd", "../../../etc/passwd"),  # the shipped/ prefix is taken off first
])
def test_names_going_up_a_folder_are_refused(tmp_path, name, shown):
    templates = workspace_templates(tmp_path, {"t.md.j2": f"{{% include '{name}' %}}\n"})
    (templates.parent / "salesctl.yaml").write_text("company: {name: x}\n", encoding="utf-8")
    err = refusal(templates)
    assert str(err) == (f"templates/t.md.j2:1: refused by the template sandbox: "
                        f"template name {shown!r} goes up a folder ('..')")


def test_a_link_to_a_device_is_refused_not_read(tmp_path):
    templates = workspace_templates(tmp_path, {"t.md.j2": "{% include 'zero.md.j2' %}\n"})
    (templates / "zero.md.j2").symlink_to("/dev/zero")
    err = refusal(templates)
    assert str(err) == ("templates/t.md.j2:1: refused by the template sandbox: template 'zero.md.j2' leads to "
                        "/dev/zero, outside the workspace")


def test_a_link_into_git_is_refused(tmp_path):
    templates = workspace_templates(tmp_path, {})
    git = templates.parent / ".git"
    git.mkdir()
    (git / "config").write_text("[remote \"origin\"]\n\turl = https://user:token@example.com/x.git\n")
    (templates / "t.md.j2").symlink_to(Path("..") / ".git" / "config")
    err = refusal(templates)
    assert str(err) == ("templates/t.md.j2: refused by the template sandbox: template 't.md.j2' leads into .git/, "
                        "which holds no templates")


def test_links_inside_the_workspace_are_followed(tmp_path):
    templates = workspace_templates(tmp_path, {})
    clauses = templates.parent / "clauses"
    clauses.mkdir()
    (clauses / "clause.md.j2").write_text("第{{ n }}条\n", encoding="utf-8")
    (templates / "clause.md.j2").symlink_to(Path("..") / "clauses" / "clause.md.j2")
    (templates / "parts").symlink_to(Path("..") / "clauses", target_is_directory=True)
    (templates / "t.md.j2").write_text(
        "{% set n = 1 %}{% include 'clause.md.j2' %}{% set n = 2 %}{% include 'parts/clause.md.j2' %}", encoding="utf-8")
    assert render(CONTEXT, template="t", workspace_templates_dir=templates) == "第1条\n第2条\n"


def test_a_docx_template_linking_outside_is_refused(tmp_path):
    outside = tmp_path / "outside.docx"
    document = docx.Document()
    document.add_paragraph("outside the workspace")
    document.save(str(outside))
    templates = workspace_templates(tmp_path, {})
    (templates / "contract.docx").symlink_to(outside)
    err = refusal(templates, "contract", fmt="docx")
    assert str(err) == (f"templates/contract.docx: refused by the template sandbox: template 'contract.docx' "
                        f"leads to {outside.resolve()}, outside the workspace")


def test_a_templates_folder_linking_outside_is_refused(tmp_path, secret):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "templates").symlink_to(secret.parent, target_is_directory=True)
    (secret.parent / "t.md.j2").write_text("{% include 'id_rsa.md.j2' %}\n", encoding="utf-8")
    err = refusal(workspace / "templates")
    assert str(err) == (f"templates/t.md.j2: refused by the template sandbox: template 't.md.j2' "
                        f"leads to {secret.parent.resolve() / 't.md.j2'}, outside the workspace")


def test_a_draft_that_cannot_fork_is_refused(tmp_path, monkeypatch):
    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    templates = workspace_templates(tmp_path, {"t.md.j2": "{{ contract.id }}\n"})
    assert str(refusal(templates)) == (
        "templates/t.md.j2: cannot start the process drafts render in: Resource temporarily unavailable")


def test_without_fork_drafts_render_in_this_process_with_the_checks(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "fork", raising=False)
    templates = workspace_templates(tmp_path, {"t.md.j2": "{{ contract.id }}\n", "bomb.md.j2": "{{ 9 ** 999999 }}\n"})
    assert render(CONTEXT, template="t", workspace_templates_dir=templates) == "CT-1\n"
    # 999,999 * log10(9) = 954,241.6: 954,242 digits
    assert str(refusal(templates, "bomb")) == ("templates/bomb.md.j2:1: refused by the template sandbox: "
                                              "power would have about 954,242 digits, more than 4,300")
