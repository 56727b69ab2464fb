"""Export the lessons to static HTML that reads well offline (``make html``).

Each notebook is executed headless (nbclient, ``store_widget_state=True``) in its
own folder and exported with nbconvert's ``lab`` template, then made to stand on
its own:

* every figure is an embedded PNG (``<img src="data:image/png;base64,...">``);
* no script is fetched from a CDN: require.js, MathJax and the widget manager
  that nbconvert links by default are left out, so nothing needs the network;
* widgets are shown as a still copy, without scripts: a widget output that
  carries its own static copy (the quiz and the deploy dial add ``text/html``)
  shows that; any other widget is drawn from the widget state stored at
  execution time (text and HTML values, images, the value of each control, the
  outputs of ``Output`` widgets);
* every figure has a text alternative (``alt``): the lesson's "What to notice"
  sentence beside it, or else the first sentence of the text that follows it;
* links between the exported notebooks point at the ``.html`` files.

Command line: ``python -m pageturn.course.statichtml SOURCE_FOLDER OUT_FOLDER [--timeout S] [NAME ...]``
(``make html`` runs ``python -m pageturn.course.statichtml notebooks build/html``).
"""

from __future__ import annotations

import argparse
import html as _html
import re
import sys
import time
from pathlib import Path

from pageturn.style import OUTLINE

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
STILL_NOTE = "Still copy of an interactive widget: run the notebook in JupyterLab to use it."

_STATIC_KINDS = ("text/html", "image/png", "image/svg+xml", "text/markdown", "image/jpeg")


def notebooks_in(folder) -> list[Path]:
    """The notebooks of ``folder`` to export, sorted by name (checkpoints left out).

    Raises:
        ValueError: if ``folder`` is not a folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"folder must be an existing folder of notebooks; got {str(folder)!r}")
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))


def execute(path, timeout: float = 600.0):
    """Run every cell of the notebook at ``path`` in its own folder; return the notebook.

    The widget state is stored in ``metadata.widgets`` so that widgets can be drawn
    without a kernel. ``timeout`` is per cell, in seconds.

    Raises:
        nbclient.exceptions.CellExecutionError: when a cell raises.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return nb


# ---------------------------------------------------------------- widgets, drawn without scripts


def _widget_states(nb) -> dict:
    """model id -> state, with binary buffers (image bytes) put back into the state."""
    stored = (nb.metadata.get("widgets") or {}).get(WIDGET_STATE) or {}
    models = {}
    for model_id, entry in (stored.get("state") or {}).items():
        state = dict(entry.get("state") or {})
        for buffer in entry.get("buffers") or []:
            target = state
            path = list(buffer.get("path") or [])
            for key in path[:-1]:
                target = target.setdefault(key, {})
            if path and buffer.get("encoding") == "base64":
                target[path[-1]] = {"base64": buffer.get("data", "")}
        models[model_id] = {"name": entry.get("model_name", ""), "state": state}
    return models


def _ref(value) -> str | None:
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        return value[len("IPY_MODEL_") :]
    return None


def _output_html(output) -> str:
    """HTML for one output (of an Output widget) without scripts."""
    kind = output.get("output_type")
    if kind == "stream":
        return f"<pre>{_html.escape(output.get('text', ''))}</pre>"
    if kind == "error":
        return f"<pre>{_html.escape(output.get('ename', ''))}: {_html.escape(output.get('evalue', ''))}</pre>"
    data = output.get("data") or {}
    if "image/png" in data:
        return (
            f'<img src="data:image/png;base64,{data["image/png"].strip()}" alt="figure" '
            'style="max-width:100%;height:auto"/>'
        )
    if "text/html" in data:
        text = data["text/html"]
        return _drop_scripts("".join(text) if isinstance(text, list) else text)
    if "text/plain" in data:
        text = data["text/plain"]
        return f"<pre>{_html.escape(''.join(text) if isinstance(text, list) else text)}</pre>"
    return ""


def render_widget(model_id: str, models: dict, depth: int = 0, alt: str = "") -> str:
    """A still HTML copy of widget ``model_id`` from the stored widget state (no scripts).

    Unknown widget kinds show their description and value, or nothing. An image without a
    description of its own gets ``alt`` as its text alternative.
    """
    model = models.get(model_id)
    if model is None or depth > 40:
        return ""
    name, s = model["name"], model["state"]
    description = _html.escape(str(s.get("description") or ""))
    label = f"<b>{description}</b> " if description else ""
    if name in ("VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel", "AccordionModel", "TabModel", "StackModel"):
        children = [_ref(child) or "" for child in s.get("children", [])]
        parts = []
        for i, child in enumerate(children):
            # An image's caption is the HTML widget right after it, when there is one.
            after = models.get(children[i + 1]) if i + 1 < len(children) else None
            caption = (
                re.sub(r"\s+([,.;:!?])", r"\1", _plain(re.sub(r"<[^>]+>", " ", str(after["state"].get("value", "")))))
                if after and after["name"] == "HTMLModel"
                else ""
            )
            parts.append(render_widget(child, models, depth + 1, caption or alt))
        inner = "".join(parts)
        direction = "row" if name == "HBoxModel" else "column"
        return f'<div style="display:flex;flex-direction:{direction};flex-wrap:wrap;gap:0.4em 1.5em">{inner}</div>'
    if name in ("HTMLModel", "HTMLMathModel"):
        return f"<div>{label}{_drop_scripts(str(s.get('value', '')))}</div>"
    if name == "LabelModel":
        return f"<div>{_html.escape(str(s.get('value', '')))}</div>"
    if name == "ImageModel":
        value = s.get("value")
        data = value.get("base64") if isinstance(value, dict) else None
        if data and s.get("format", "png") in ("png", "jpeg", "gif", "svg+xml"):
            return (
                f'<img src="data:image/{s.get("format", "png")};base64,{data}" '
                f'alt="{description or _html.escape(alt or "figure")}" style="max-width:100%;height:auto"/>'
            )
        return ""
    if name == "OutputModel":
        return "".join(_output_html(o) for o in s.get("outputs", []))
    if name == "ButtonModel":
        return f'<span style="border:1px solid {OUTLINE};border-radius:3px;padding:0 0.5em">{description}</span>'
    if name in ("ToggleButtonModel", "CheckboxModel"):
        mark = "☑" if s.get("value") else "☐"
        return f"<div>{mark} {description}</div>"
    if "_options_labels" in s:  # Dropdown, RadioButtons, Select...
        labels = list(s.get("_options_labels") or [])
        index = s.get("index")
        chosen = labels[index] if isinstance(index, int) and 0 <= index < len(labels) else "—"
        return f"<div>{label}{_html.escape(str(chosen))}</div>"
    if "value" in s and not isinstance(s.get("value"), dict):
        value = s.get("value")
        if name.startswith("FloatLog") and isinstance(value, (int, float)):
            value = (s.get("base") or 10) ** value
        if isinstance(value, float):
            value = f"{value:.3g}"
        return f"<div>{label}{_html.escape(str(value))}</div>"
    return ""


def _drop_scripts(text: str) -> str:
    return re.sub(r"<script\b.*?</script\s*>", "", text, flags=re.S | re.I)


def staticize(nb):
    """Replace every widget view by a still copy (in place) and drop the stored widget state.

    An output that already carries a static copy (``text/html``, an image or
    ``text/markdown``) keeps it; any other widget is drawn from the widget state.
    Returns ``nb``.
    """
    models = _widget_states(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data or WIDGET_VIEW not in data:
                continue
            view = data.pop(WIDGET_VIEW)
            if any(kind in data for kind in _STATIC_KINDS):
                continue
            drawn = render_widget(view.get("model_id", ""), models, alt=_alt(nb, index))
            if drawn:
                data["text/html"] = f'<div class="pageturn-still"><p><i>{_html.escape(STILL_NOTE)}</i></p>{drawn}</div>'
    nb.metadata.pop("widgets", None)
    return nb


# ---------------------------------------------------------------- figures, described


def _plain(markdown: str) -> str:
    """Markdown to one line of plain text (links keep their words; emphasis and code marks go)."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^#+\s*", "", text, flags=re.M)
    text = re.sub(r"[*_`]", "", text)
    return " ".join(text.split())


def _first_sentences(text: str, limit: int = 300) -> str:
    """The whole sentences of ``text`` that fit in ``limit`` characters (at least one, cut if need be)."""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text)
    kept = sentences[0]
    for sentence in sentences[1:]:
        if len(kept) + 1 + len(sentence) > limit:
            break
        kept += " " + sentence
    return kept if len(kept) <= limit else kept[: limit - 1].rstrip() + "…"


def figure_description(nb, index: int) -> str:
    """A text alternative for a figure drawn by code cell ``index`` of ``nb``.

    The writing rules give every figure one sentence that says what to notice, in the
    markdown next to it: that sentence is taken from the next markdown cell, else the
    previous one. Without one, the first sentences of the next markdown cell describe it.
    Returns "" when neither exists.
    """

    def markdown_at(i):
        return nb.cells[i] if 0 <= i < len(nb.cells) and nb.cells[i].cell_type == "markdown" else None

    following, preceding = markdown_at(index + 1), markdown_at(index - 1)
    for cell in filter(None, (following, preceding)):
        for paragraph in re.split(r"\n\s*\n", cell.source):
            match = re.search(r"What to notice\W*(.*)", _plain(paragraph), flags=re.I)
            if match and match.group(1).strip():
                return _first_sentences(match.group(1).strip())
    if following is not None:
        for paragraph in re.split(r"\n\s*\n", following.source):
            text = _plain(paragraph)
            if text and not paragraph.lstrip().startswith("#"):
                return _first_sentences(text)
    return ""


def _alt(nb, index: int) -> str:
    """:func:`figure_description`, starting with a capital letter, for an ``alt`` attribute."""
    text = figure_description(nb, index)
    return text[:1].upper() + text[1:]


def describe_figures(nb):
    """Give every PNG figure in the code cells' outputs a text alternative (in place); return ``nb``.

    The figure becomes an HTML ``<img>`` with its ``alt`` text (nbconvert's templates of this
    version write no ``alt`` of their own), still embedded as base64 PNG.
    """
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            if "image/png" not in data or "text/html" in data:
                continue
            alt = _alt(nb, index) or "A figure: the text around it says what it shows."
            png = data["image/png"]
            png = "".join(png) if isinstance(png, list) else png
            data["text/html"] = (
                f'<img src="data:image/png;base64,{png.strip()}" alt="{_html.escape(alt)}" '
                'style="max-width:100%;height:auto"/>'
            )
            del data["image/png"]
    return nb


# ---------------------------------------------------------------- export


def to_html(nb, title: str = "") -> str:
    """Export an executed notebook to one self-contained HTML page (no external scripts)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", embed_images=True)
    exporter.require_js_url = ""
    exporter.mathjax_url = ""
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    # Leave out every script fetched from elsewhere (require.js, MathJax, widget manager).
    body = re.sub(
        r"<script\b[^>]*\bsrc\s*=\s*[\"'](?:https?:)?//[^\"']*[\"'][^>]*>\s*</script\s*>", "", body, flags=re.I
    )
    body = re.sub(r"<script\b[^>]*\bsrc\s*=\s*[\"']\s*[\"'][^>]*>\s*</script\s*>", "", body, flags=re.I)
    body = re.sub(r"<link\b[^>]*\bhref\s*=\s*[\"'](?:https?:)?//[^\"']*[\"'][^>]*>", "", body, flags=re.I)
    return body


def export_folder(source, out, names=None, timeout: float = 600.0, log=print) -> list[Path]:
    """Execute and export each notebook of ``source`` (or only ``names``) into ``out``.

    Returns the HTML files written, in order.

    Raises:
        ValueError: for a missing folder or a name that is not a notebook of ``source``.
        nbclient.exceptions.CellExecutionError: when a cell of a notebook raises.
    """
    paths = notebooks_in(source)
    if names:
        wanted = {Path(n).stem for n in names}
        unknown = wanted - {p.stem for p in paths}
        if unknown:
            raise ValueError(f"names must be notebooks of {source}; unknown: {', '.join(sorted(unknown))}")
        paths = [p for p in paths if p.stem in wanted]
    exported = {p.stem for p in notebooks_in(source)}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        started = time.perf_counter()
        nb = describe_figures(staticize(execute(path, timeout=timeout)))
        page = to_html(nb, title=path.stem)
        # Links between lessons: NN_name.ipynb -> NN_name.html (other links stay as they are).
        page = re.sub(
            r'href="(\./)?([^"/:]+)\.ipynb(#[^"]*)?"',
            lambda m: f'href="{m.group(2)}.html{m.group(3) or ""}"' if m.group(2) in exported else m.group(0),
            page,
        )
        target = out / f"{path.stem}.html"
        target.write_text(page, encoding="utf-8")
        written.append(target)
        log(f"{path} -> {target} ({time.perf_counter() - started:.1f} s)")
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pageturn.course.statichtml", description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="folder of notebooks (e.g. notebooks)")
    parser.add_argument("out", help="folder for the HTML files (e.g. build/html)")
    parser.add_argument("names", nargs="*", help="only these notebooks (default: all)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per cell (default 600)")
    args = parser.parse_args(argv)
    try:
        export_folder(args.source, args.out, args.names or None, timeout=args.timeout)
    except ValueError as exc:
        print(f"html: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a cell failed: say which notebook, keep the traceback short
        print(f"html: {type(exc).__name__}: {str(exc)[-3000:]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
