"""The model in the reader's browser: a Sphinx hook that writes the web copy of the shipped model.

At the end of an HTML build, authoring.web_export.export_web_model writes the weights
(float16), their manifest and the engine as classic scripts into `<html>/textgen-web/`
(not under `_static/`, whose .js files Jupyter Book puts on every page). The small page
script `textgen_explorers.js` (book/web, on every page) loads them only on a page that has
an explorer, once, and mounts live controls on every explorer's saved first view.
"""

from __future__ import annotations

from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "web" / "textgen_engine.mjs"
FOLDER = "textgen-web"


def _export_model(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from authoring.web_export import export_web_model

    export = export_web_model(Path(app.outdir) / FOLDER, dtype="float16", engine_module=ENGINE)
    print(f"textgen_web: wrote {FOLDER}/ ({export.model_script_gzip_bytes / 1e6:.2f} MB compressed model)")


def setup(app):
    app.add_js_file("textgen_explorers.js", priority=900)
    app.add_css_file("textgen_explorers.css")
    app.connect("build-finished", _export_model)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
