"""Bank texts to HTML for the widgets: inline Markdown (`code`, *emphasis*; $math$ is left for MathJax) and
the widgets' style sheet."""
from __future__ import annotations

import html
import re

# ipywidgets draws option labels on one fixed-height line and cuts long ones off; let them wrap.
CSS = """<style>
.course-quiz .widget-radio-box label, .course-quiz .widget-checkbox label {
  display: flex; align-items: flex-start; white-space: normal; height: auto; line-height: 1.4; margin: 3px 0; }
.course-quiz .widget-radio-box input, .course-quiz .widget-checkbox input {
  order: -1; flex: none; align-self: flex-start; margin: 0.2em 0.6em 0 0; }
.course-quiz .widget-htmlmath-content { line-height: 1.5; }
.course-quiz .course-right { color: #1a7f37; }
.course-quiz .course-wrong { color: #cf222e; }
/* dark themes (JupyterLab, VS Code): lighter shades, so the verdict keeps a 4.5:1 contrast (WCAG AA) */
body[data-jp-theme-light="false"] .course-quiz .course-right, body.vscode-dark .course-quiz .course-right {
  color: #3fb950; }
body[data-jp-theme-light="false"] .course-quiz .course-wrong, body.vscode-dark .course-quiz .course-wrong {
  color: #ff7b72; }
</style>"""


# *word*, not a*b or 2 * 3; Chinese has no spaces, so a Chinese character may touch the stars (的*不同*用户)
EMPHASIS = re.compile(r"(?<![A-Za-z0-9_*])\*(?=\S)([^*]+?)(?<=\S)\*(?![A-Za-z0-9_*])")


def _emphasis(text: str) -> str:
    """*emphasis* to <em>, outside $math$ (where * is a product)."""
    parts = text.split("$")
    return "$".join(p if i % 2 else EMPHASIS.sub(r"<em>\1</em>", p) for i, p in enumerate(parts))


def md(text: str) -> str:
    """Inline Markdown to HTML: `code` spans and *emphasis*; $math$ is left for MathJax."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else _emphasis(p) for i, p in enumerate(parts))
