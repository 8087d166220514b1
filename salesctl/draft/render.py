"""Rendering a draft: the template resolved, the context completed, the draft rendered in a child
process under time and memory limits, and every failure a `DraftError` located in the template.
"""

from __future__ import annotations

import gc
import io
import json
import math
import os
import re
import selectors
import signal
import time
import traceback
from functools import partial
from pathlib import Path
from typing import Any, Callable

from jinja2.exceptions import SecurityError, TemplateNotFound, TemplateSyntaxError, UndefinedError

from ..errors import DraftError
from .docx import markdown_to_docx
from .sandbox import MAX_SIZE, UndefinedVariable, contained, make_env, text_env, workspace_of
from .templates import DOCX_EXTRA_MESSAGE, TemplateInfo, resolve_template, shipped_templates_dir

# What a draft may take: the limits of the child process it renders in (see `_bounded`).
MAX_SECONDS = 10
MAX_MEMORY_MB = 512  # beyond what salesctl itself holds when the draft starts


# ---------------------------------------------------------------------------
# Errors: where in the template, which variable
# ---------------------------------------------------------------------------

def _display_path(filename: str | None, workspace_templates_dir: Path | None,
                  fallback: str) -> str:
    if not filename or filename.startswith("<"):
        return fallback
    path = Path(filename)
    if workspace_templates_dir is not None:
        root = Path(os.path.abspath(workspace_templates_dir)).parent
        try:  # links not followed: a link is named, not what it leads to
            return Path(os.path.abspath(path)).relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """(filename, line) of the innermost template frame in the traceback."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


_EXPR_PART = r"[A-Za-z_][A-Za-z0-9_]*(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*|\[[^\[\]]*\])*"


def _variable_name(exc: UndefinedVariable, source_line: str | None) -> str:
    """The dotted expression that was undefined, read off the template line."""
    name = exc.undefined_name
    if not exc.has_obj:
        return str(name)
    if source_line:
        if isinstance(name, str):
            tails = [rf"\s*\.\s*{re.escape(name)}\b", rf"\[\s*['\"]{re.escape(name)}['\"]\s*\]"]
        else:
            tails = [rf"\[\s*{re.escape(str(name))}\s*\]"]
        for tail in tails:
            m = re.search(rf"({_EXPR_PART}?)({tail})", source_line)
            if m:
                return re.sub(r"\s+", "", m.group(0))
    return str(name)


def _source_line(filename: str | None, line: int | None, source: str | None = None) -> str | None:
    if line is None:
        return None
    text = source
    if text is None and filename and not filename.startswith("<"):
        try:
            text = Path(filename).read_text(encoding="utf-8")
        except OSError:
            return None
    if text is None:
        return None
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else None


def _translate(exc: BaseException, info: TemplateInfo, workspace_templates_dir: Path | None,
               docx_source: str | None = None) -> DraftError:
    """A DraftError for an exception raised while loading or rendering a template.

    ``docx_source``: the XML part a docx template was rendering; its lines are
    paragraphs, so the location given is the paragraph's text, not a line.
    """
    fallback = _display_path(str(info.path), workspace_templates_dir, info.filename)
    if isinstance(exc, TemplateSyntaxError):
        filename, line = exc.filename, exc.lineno
    else:
        filename, line = _template_frame(exc)
    if docx_source is not None:
        where = fallback
        raw = _source_line(None, line, docx_source)
        text = re.sub(r"<[^>]+>", "", raw or "").strip()
        loc = f"{where} (paragraph {text[:60]!r})" if text else where
        line = None
    else:
        where = _display_path(filename, workspace_templates_dir, fallback)
        raw = _source_line(filename, line)
        loc = f"{where}:{line}" if line else where
    if isinstance(exc, MemoryError):
        return DraftError(_memory_message(loc), path=where, line=line)
    if isinstance(exc, UndefinedVariable):
        var = _variable_name(exc, raw)
        return DraftError(f"{loc}: undefined variable '{var}'", path=where, line=line, variable=var)
    if isinstance(exc, SecurityError):
        return DraftError(f"{loc}: refused by the template sandbox: {exc}", path=where, line=line)
    if isinstance(exc, UndefinedError):
        return DraftError(f"{loc}: undefined: {exc}", path=where, line=line)
    if isinstance(exc, TemplateSyntaxError):
        return DraftError(f"{loc}: template syntax error: {exc.message}", path=where, line=line)
    if isinstance(exc, TemplateNotFound):
        return DraftError(f"{loc}: template not found: {exc.name}", path=where, line=line)
    message = str(exc) or type(exc).__name__
    return DraftError(f"{loc}: {message}", path=where, line=line)


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

def _loader_name(info: TemplateInfo) -> str:
    return ("shipped/" if info.source == "shipped" else "") + info.filename


def _render_text(info: TemplateInfo, context: dict, workspace_templates_dir: Path | None) -> str:
    env = text_env(info, workspace_templates_dir)
    try:
        tmpl = env.get_template(_loader_name(info))
        env.start_budget(MAX_SECONDS)
        chunks, size = [], 0
        for chunk in tmpl.generate(context):
            size += len(chunk)
            if size > MAX_SIZE:
                raise SecurityError(f"draft output larger than {MAX_SIZE:,} characters")
            env.tick()
            chunks.append(chunk)
        return "".join(chunks)
    except DraftError:
        raise
    except Exception as exc:  # every failure inside a template is the user's to fix
        raise _translate(exc, info, workspace_templates_dir) from exc


# The documented shape of the context.  `render` fills a documented field that
# is missing with None (an optional field left out of a record), so templates
# may test it; a name outside these lists stays undefined and is an error.
CONTEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "contract": ("id", "customer", "owner", "title", "status", "created", "signed", "start", "end",
                 "currency", "items", "amount", "payment_terms", "template", "approvals", "notes",
                 "paid", "balance", "pending_stage", "waiting_since", "waiting_days"),
    "customer": ("id", "name", "owner", "status", "tier", "key", "industry", "size", "region", "source",
                 "created", "contacts", "tags", "notes"),
    "contact": ("name", "title", "phone", "email", "primary"),
    "owner": ("id", "name", "role", "group", "manager", "email"),
    "company": ("name", "address", "tax_id", "phone", "bank", "representative"),
    "bank": ("name", "account"),
    "item": ("name", "quantity", "unit", "unit_price"),
    "approval": ("stage", "by", "date", "decision", "comment", "terms"),
    "receivable": ("id", "contract", "amount", "due", "invoice", "payments", "paid", "balance", "status"),
    "payment": ("date", "amount", "method", "ref"),
}
_LIST_FIELDS = {"items": ("item", "contract"), "approvals": ("approval", "contract"),
                "contacts": ("contact", "customer"), "payments": ("payment", "receivable")}


def _complete(value: Any, kind: str) -> Any:
    """A copy of a context mapping with its missing documented fields set to None."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for name in CONTEXT_FIELDS[kind]:
        out.setdefault(name, None)
    for name, (item_kind, owner_kind) in _LIST_FIELDS.items():
        if owner_kind == kind and isinstance(out.get(name), list):
            out[name] = [_complete(v, item_kind) for v in out[name]]
    if kind == "company":
        out["bank"] = _complete(out["bank"], "bank")
    return out


def complete_context(context: dict) -> dict:
    """The context with every documented field present (missing ones None); input unchanged."""
    ctx = dict(context)
    for kind in ("contract", "customer", "contact", "owner", "company"):
        if kind in ctx:
            ctx[kind] = _complete(ctx[kind], kind)
    if isinstance(ctx.get("receivables"), list):
        ctx["receivables"] = [_complete(r, "receivable") for r in ctx["receivables"]]
    return ctx


def render(context: dict, *, template: str = "contract", fmt: str = "md", locale: str = "zh_CN",
           workspace_templates_dir: Path | None = None) -> str | bytes:
    """Render a draft: text for md and html, the bytes of a .docx for docx.

    ``template`` is ``NAME`` or ``NAME.LOCALE``; ``locale`` the workspace
    locale (prefers ``NAME.LOCALE.FORMAT.j2``).  Documented context fields
    that are missing are filled with None (:func:`complete_context`).  Workspace
    templates may link only to files inside the workspace, the folder holding
    ``workspace_templates_dir``.  The draft is rendered under time and memory
    limits (:func:`_bounded`).  Raises DraftError for a missing template, an
    undefined variable, a sandbox violation, a limit hit, any error inside the
    template, and for docx when the optional extra is missing.
    """
    info = resolve_template(template, fmt, locale, workspace_templates_dir)
    ctx = complete_context(context)
    ctx.setdefault("locale", info.locale or locale)
    where = _display_path(str(info.path), workspace_templates_dir, info.filename)
    if info.source == "shipped" and info.format != "docx":
        # our own template is compiled here, once, and every draft's child process finds it
        # compiled; a workspace template is compiled only in the child, under the limits
        text_env(info, workspace_templates_dir).get_template(_loader_name(info))
    return _bounded(partial(_render, info, ctx, fmt, locale, workspace_templates_dir), where)


def _render(info: TemplateInfo, ctx: dict, fmt: str, locale: str,
            workspace_templates_dir: Path | None) -> str | bytes:
    if fmt != "docx":
        return _render_text(info, ctx, workspace_templates_dir)
    if info.format == "docx":
        return _render_docx_template(info, ctx, workspace_templates_dir)
    text = _render_text(info, ctx, workspace_templates_dir)
    return markdown_to_docx(text, locale=info.locale or ctx.get("locale") or locale)


def _render_docx_template(info: TemplateInfo, context: dict,
                          workspace_templates_dir: Path | None) -> bytes:
    try:
        from docxtpl import DocxTemplate
    except ImportError:
        raise DraftError(DOCX_EXTRA_MESSAGE) from None

    env = make_env(workspace_templates_dir, autoescape=True, for_docx=True)
    env.start_budget(MAX_SECONDS)
    try:
        boundary = workspace_of(workspace_templates_dir) if info.source == "workspace" \
            else shipped_templates_dir().resolve()
        doc = DocxTemplate(str(contained(info.path, boundary, info.filename)))
        doc.render(context, jinja_env=env, autoescape=True)
        out = io.BytesIO()
        doc.save(out)
    except DraftError:
        raise
    except Exception as exc:
        if env.last_source is None and not isinstance(exc, (SecurityError, MemoryError)):
            where = _display_path(str(info.path), workspace_templates_dir, info.filename)
            raise DraftError(f"{where}: not a usable docx template: {exc}", path=where) from exc
        raise _translate(exc, info, workspace_templates_dir, docx_source=env.last_source) from exc
    return out.getvalue()


# ---------------------------------------------------------------------------
# Rendering under limits: a child process that is stopped after MAX_SECONDS
# and cannot take more than MAX_MEMORY_MB
# ---------------------------------------------------------------------------

_OUT_OF_MEMORY = 3  # the child's exit status when even reporting ran out of memory


def _bounded(work: Callable[[], str | bytes], where: str) -> str | bytes:
    """``work()`` run in a forked child process that cannot outlive the time limit or outgrow
    the memory limit, whatever the template does; its result, or its DraftError, here.

    Without fork (Windows) ``work`` runs in this process, bounded only by the checks of the
    sandbox and the loop deadline.  ``where`` names the template in the messages.
    """
    if not hasattr(os, "fork"):
        return work()
    deadline = time.monotonic() + MAX_SECONDS
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError as exc:  # too many processes, or no memory left for one more
        os.close(read_end)
        os.close(write_end)
        raise DraftError(f"{where}: cannot start the process drafts render in: {exc.strerror}", path=where) from exc
    if pid == 0:
        os.close(read_end)
        _child(work, write_end)
    status = None
    try:
        os.close(write_end)
        report = _read_until(read_end, deadline)
        if report is None:
            os.kill(pid, signal.SIGKILL)
        status = os.waitpid(pid, 0)[1]
    finally:
        os.close(read_end)
        if status is None:  # interrupted (Ctrl-C): the child goes too
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    return _outcome(report, status, where)


def _child(work: Callable[[], str | bytes], fd: int) -> None:
    """Run ``work`` under the limits and write what came of it to ``fd``; never returns."""
    status = 1
    try:
        gc.freeze()  # collections here leave the parent's objects, and so their pages, alone
        _limit_resources()
        try:
            result = work()
            report = b"T" + result.encode("utf-8") if isinstance(result, str) else b"B" + result
        except DraftError as exc:
            report = b"E" + json.dumps([exc.message, exc.path, exc.line, exc.variable]).encode("utf-8")
        except Exception:  # a bug of salesctl: its traceback, for --debug
            report = b"X" + traceback.format_exc().encode("utf-8")
        view = memoryview(report)
        while view:
            view = view[os.write(fd, view):]
        status = 0
    except MemoryError:
        status = _OUT_OF_MEMORY
    finally:
        os._exit(status)  # no atexit handlers, no flushing of the parent's buffers


def _limit_resources() -> None:
    """Lower this process's CPU time and address space (Linux; elsewhere where the system allows)."""
    import resource

    def lower(which: int, limit: int) -> None:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        try:
            resource.setrlimit(which, (limit, limit))
        except (ValueError, OSError):
            pass  # not enforced here (macOS's address space): the parent's clock still is

    lower(resource.RLIMIT_CPU, math.ceil(MAX_SECONDS) + 1)  # should the parent be gone
    try:
        with open("/proc/self/statm") as fh:  # the address space already mapped, in pages
            mapped = int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return
    lower(resource.RLIMIT_AS, mapped + MAX_MEMORY_MB * 2**20)


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything written to ``fd`` until it is closed; None when the deadline passes first."""
    chunks = []
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def _outcome(report: bytes | None, status: int, where: str) -> str | bytes:
    """The child's result, or the DraftError saying which limit stopped it."""
    if report is None or (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU):
        raise DraftError(f"{where}: stopped: the draft took longer than {MAX_SECONDS} s", path=where)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == _OUT_OF_MEMORY:
        raise DraftError(_memory_message(where), path=where)
    if status != 0 or not report:
        how = (f"signal {signal.Signals(os.WTERMSIG(status)).name}" if os.WIFSIGNALED(status)
               else f"exit status {os.WEXITSTATUS(status)}")
        raise DraftError(f"{where}: stopped: rendering ended unexpectedly ({how}); it may have run out "
                         f"of memory", path=where)
    kind, body = report[:1], report[1:]
    if kind == b"T":
        return body.decode("utf-8")
    if kind == b"B":
        return body
    if kind == b"E":
        message, path, line, variable = json.loads(body)
        raise DraftError(message, path=path, line=line, variable=variable)
    child_traceback = body.decode("utf-8", "replace")
    error = RuntimeError(f"while rendering {where}: {child_traceback.strip().splitlines()[-1]}")
    if hasattr(error, "add_note"):
        error.add_note(child_traceback)
    raise error


def _memory_message(where: str) -> str:
    return f"{where}: stopped: the draft needs more than {MAX_MEMORY_MB} MB of memory"
