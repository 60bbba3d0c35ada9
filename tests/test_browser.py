"""The course in a real browser: JupyterLab and the self-check widgets driven end to end.

`make lab` (the README's course command) is run as the Makefile writes it, with a throwaway learner folder: it
makes the learner's copies of the chapters (exercises blank) and starts JupyterLab on them. For every chapter a
headless Chromium opens the copy, clears the saved outputs, runs all cells and checks that every code cell ran
without an error, that each blank exercise's check says "Not done yet", and that every self-check (``ask(...)``,
and the ``review(...)`` drill of the review chapter) rendered as a live widget. It then answers the chapter's
first question with clicks, first wrong, then right, reads the feedback the widget shows ("Not quite." /
"Correct!" and the chosen option's note) and checks that the progress file recorded both attempts. Another
test solves an exercise as a learner would (types a solution into the blank cell, runs its check, saves) and
runs `make lab`'s copy step again: the learner's work stays.

The notebooks run here with the machine's own CPU kernels and threads, while nbval (the same `make test`) runs
them with generic kernels on one thread: every chapter's asserts hold on both (tests/README.md).

How the server is run: the recipe of ``make lab`` read from the Makefile plus only the flags a test needs (port,
no browser, loopback ip, no token), with a throwaway Jupyter config folder (settings overrides: no news, no
update check, no autosave, every cell in the DOM, the default kernel started without the "Select Kernel"
dialog), throwaway runtime/data/IPython folders and a throwaway ``COURSE_LIB_DATA_DIR``. Each notebook opens in
its own fresh workspace and its kernel is shut down after the test; a chapter's file must be byte-identical
afterwards (nothing saved), except the one the learner test saves on purpose.

Network: the browser may only talk to the loopback server. Every request passes a route handler that aborts
and records anything else, and each test asserts that none happened. The handler runs only while Playwright
is called, so waits that let the page work use ``page.wait_for_timeout``, never ``time.sleep``.

Artifacts: ``test-artifacts/<chapter>.png`` (the answered quiz after the run), ``<chapter>-quiz.png`` (the
widget alone), ``<chapter>-failure.png`` when a test fails, ``jupyterlab-log.txt`` (the server's log).

Needs Debian's Chromium at /usr/bin/chromium (``sudo apt-get install -y chromium``); Playwright's Python
package (requirements.txt) drives it; ``playwright install`` is never needed.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from course_lib import i18n
from course_lib.quiz import bank, grading
from course_lib.quiz.render import EMPHASIS

from notebook_questions import asked_in  # tests/notebook_questions.py

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
CHAPTERS = sorted(NOTEBOOK_DIR.glob("0*.ipynb"))
# The chapters run here in Chinese: the same code as the English ones (tests/test_chinese.py), which nbval runs,
# so every chapter's code runs on two kernel sets and every Chinese chapter runs once.
CHAPTERS_ZH = sorted((NOTEBOOK_DIR / "zh").glob("0*.ipynb"))
FIRST_CHAPTER = "01_embedding_mlp.ipynb"  # the README names it; the file browser must list it
ARTIFACTS = ROOT / "test-artifacts"

CHROMIUM = Path("/usr/bin/chromium")
# Playwright sets a fresh --user-data-dir itself (launch_persistent_context on a temporary folder); it refuses
# that flag in ``args``.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MISSING_CHROMIUM = (
    f"Chromium is not installed at {CHROMIUM}: the browser tests (tests/test_browser.py, part of `make test`) "
    "run the course in JupyterLab in Debian's Chromium. Install it with\n"
    "    sudo apt-get update && sudo apt-get install -y chromium\n"
    "(Debian, or any distribution whose `chromium` package provides /usr/bin/chromium), then run `make test` again."
)
MISSING_PLAYWRIGHT = ("Playwright's Python package is missing: `make test` installs it from requirements.txt "
                      "(`.venv/bin/python -m pip install -r requirements.txt`; never `playwright install`).")

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
KERNEL_SETTINGS = ("ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "COURSE_LIB_THREADS")
VIEWPORT = {"width": 1280, "height": 860}
SERVER_START_TIMEOUT = 120     # s until JupyterLab answers (first start compiles nothing, takes ~5 s)
KERNEL_START_TIMEOUT = 120     # s until the notebook's kernel is idle
RUN_ALL_TIMEOUT = 300          # s for one chapter's "Run All Cells" (each runs in about 60 s alone)
WIDGET_TIMEOUT = 60            # s until every self-check widget has rendered
UI_TIMEOUT = 30                # s for a click to show its effect
SAVE_TIMEOUT = 30              # s until a saved notebook is on disk
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception)\b", re.M)

# Settings overrides (defaults for this server only; the learner's JupyterLab keeps its own settings).
SETTINGS_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none", "autoStartDefaultKernel": True},
}


@dataclass
class Recipe:
    """``make lab`` read from the Makefile, for a given learner folder: first the learner's copies are made,
    then JupyterLab is started on them (with ``env`` added to its environment)."""
    copies: list[str]
    env: dict[str, str]
    server: list[str]


def make_lab_recipe(learner: Path, target: str = "lab") -> Recipe:
    """The recipe of ``make lab`` (or ``make lab-zh``) with $(BIN) the bin folder of the Python running the tests
    (.venv/bin under ``make test``) and $(LEARNER) the given folder, never the learner's own my-notebooks/."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n?)+)", makefile, re.M)
    assert recipe, f"the Makefile has no `{target}` target: the README's course command is `make {target}`"
    bin_dir = Path(sys.executable).parent
    lines = []
    for line in recipe.group(1).splitlines():
        line = (line.strip().replace("$(abspath $(LEARNER))", str(learner)).replace("$(LEARNER)", str(learner))
                .replace("$(BIN)", str(bin_dir)).replace("$(CURDIR)", str(ROOT)))
        assert "$" not in line, f"cannot expand the Makefile variables in {line!r}"
        lines.append(shlex.split(line))
    copies = [w for w in lines if any(word.endswith("learner_copies.py") for word in w)]
    servers = [w for w in lines if "jupyter" in " ".join(w) and "lab" in w]
    assert len(copies) == 1 and len(servers) == 1, f"expected a copies line and a `jupyter lab` line, got {lines}"
    server = servers[0]
    env = dict(word.split("=", 1) for word in server if re.fullmatch(r"[A-Z_]+=.*", word))
    return Recipe(copies[0], env, [word for word in server if not re.fullmatch(r"[A-Z_]+=.*", word)])


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


def get_json(url: str, timeout: float = 10) -> dict | list:
    assert urlsplit(url).hostname in LOOPBACK_HOSTS, url
    with _LOCAL.open(url, timeout=timeout) as response:
        return json.load(response)


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOOPBACK_HOSTS


# ---------------------------------------------------------------------------------------------- fixtures

@dataclass
class Lab:
    url: str
    progress_dir: Path
    folder: Path  # the learner's copies that `make lab` made and serves
    recipe: Recipe
    env: dict[str, str]  # the server's environment (Jupyter's folders, the progress folder)


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Lab]:
    """``make lab`` with a throwaway learner folder: the learner's copies made, then JupyterLab started on them,
    on a free loopback port with a throwaway token-less config."""
    tmp = tmp_path_factory.mktemp("jupyterlab")
    recipe = make_lab_recipe(tmp / "my-notebooks")
    for copies in (recipe.copies, make_lab_recipe(tmp / "my-notebooks", "lab-zh").copies):  # English, Chinese
        made = subprocess.run(copies, cwd=ROOT, capture_output=True, text=True)
        assert made.returncode == 0, f"making the learner's copies failed: {made.stderr}"
    config, progress_dir = tmp / "config", tmp / "progress"
    for d in ("config/labconfig", "data", "runtime", "ipython", "progress", "user-settings", "workspaces"):
        (tmp / d).mkdir(parents=True)
    (config / "jupyter_server_config.json").write_text(json.dumps({"LabApp": {
        "news_url": None,                                           # no news feed, no news toast
        "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
        "extension_manager": "readonly",                           # never asks PyPI
        "user_settings_dir": str(tmp / "user-settings"),
        "workspaces_dir": str(tmp / "workspaces"),
    }}))
    (config / "labconfig" / "default_setting_overrides.json").write_text(json.dumps(SETTINGS_OVERRIDES))
    # `make test` forces generic CPU kernels and one thread for nbval (another machine's digits); the notebooks run
    # here with this machine's own kernels and threads, so their asserts are checked on both.
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_CONFIG_PATH", "JUPYTER_PATH", *KERNEL_SETTINGS)}
    env.update(JUPYTER_CONFIG_DIR=str(config), JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), IPYTHONDIR=str(tmp / "ipython"),
               COURSE_LIB_DATA_DIR=str(progress_dir), COURSE_LIB_QUIET="1", PYTHONUNBUFFERED="1", **recipe.env)
    # torch's OpenMP threads busy-wait between parallel regions; on a shared machine with more busy threads than
    # cores that made one chapter take 293 s instead of 29 s. Idle threads sleep instead (results are unchanged).
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    with serve(recipe.server, env, "JupyterLab", ARTIFACTS / "jupyterlab-log.txt") as url:
        yield Lab(url, progress_dir, tmp / "my-notebooks", recipe, env)


@contextmanager
def serve(command: list[str], env: dict[str, str], name: str, log_path: Path) -> Iterator[str]:
    """Start a Jupyter server (``jupyter lab`` or ``jupyter notebook``) on a free loopback port without a token;
    yields its URL once it answers, and stops it (and its kernels) afterwards."""
    port = free_port()
    command = command + [f"--port={port}", "--no-browser", "--ip=127.0.0.1", "--IdentityProvider.token="]
    if getattr(os, "geteuid", lambda: 1)() == 0:
        command.append("--allow-root")  # CI containers run as root
    ARTIFACTS.mkdir(exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w", encoding="utf-8") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while True:
                if server.poll() is not None:
                    pytest.fail(f"{name} exited with code {server.returncode}: {shlex.join(command)}\n"
                                f"{log_path.read_text()[-3000:]}", pytrace=False)
                try:
                    get_json(f"{url}/api/status", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"{name} did not answer on {url} within {SERVER_START_TIMEOUT} s:\n"
                                    f"{log_path.read_text()[-3000:]}", pytrace=False)
                    time.sleep(0.5)
            yield url
        finally:
            server.terminate()  # SIGTERM: jupyter_server shuts its kernels down, then exits
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


@dataclass
class Browser:
    context: object
    offsite: list[str] = field(default_factory=list)  # every non-loopback request the page attempted


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[Browser]:
    """Headless Debian Chromium with a fresh profile; requests to anything but loopback are aborted."""
    if not CHROMIUM.exists():
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(MISSING_PLAYWRIGHT, pytrace=False)
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport=VIEWPORT, service_workers="block")
        try:
            b = Browser(context)

            def route(r):
                if is_loopback(r.request.url):
                    r.continue_()
                else:
                    b.offsite.append(r.request.url)
                    r.abort("blockedbyclient")

            def watch_websockets(page):
                page.on("websocket", lambda ws: None if is_loopback(ws.url) else b.offsite.append(ws.url))

            context.route("**/*", route)
            context.on("page", watch_websockets)
            for page in context.pages:  # the persistent context opens with one blank page
                watch_websockets(page)
            yield b
        finally:
            context.close()


@pytest.fixture
def page(browser, lab):
    """A new tab; afterwards the tab is closed and every kernel shut down, whatever happened."""
    browser.offsite.clear()  # each test answers for its own requests
    tab = browser.context.new_page()
    tab.set_default_timeout(UI_TIMEOUT * 1000)
    try:
        yield tab
    finally:
        tab.close()
        shut_down_sessions(browser.context, lab)


def shut_down_sessions(context, lab: Lab) -> None:
    """Shut down every kernel session of the server (through the API, with the browser's XSRF cookie)."""
    xsrf = next((c["value"] for c in context.cookies(lab.url) if c["name"] == "_xsrf"), "")
    for session in get_json(f"{lab.url}/api/sessions"):
        context.request.delete(f"{lab.url}/api/sessions/{session['id']}", headers={"X-XSRFToken": xsrf})
    assert get_json(f"{lab.url}/api/sessions") == [], "a kernel session survived the test"


@contextmanager
def screenshot_on_failure(tab, name: str):
    try:
        yield
    except BaseException:
        try:
            tab.screenshot(path=ARTIFACTS / f"{name}-failure.png")
        finally:
            raise


# ---------------------------------------------------------------------------------------------- the UI steps

def open_notebook(tab, lab: Lab, name: str, workspace: str):
    """Open a notebook in a fresh workspace (so no other notebook is restored) and wait for its idle kernel."""
    tab.goto(f"{lab.url}/lab/workspaces/{quote(workspace)}/tree/{quote(name)}")
    panel = tab.locator(".jp-NotebookPanel")
    panel.wait_for(state="visible")
    status = panel.locator(".jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator")
    deadline = time.monotonic() + KERNEL_START_TIMEOUT
    while True:
        dialog = tab.locator(".jp-Dialog")
        if dialog.count():  # "Select Kernel" (only if the overrides did not apply): take the default
            assert "Select Kernel" in dialog.inner_text(), f"unexpected dialog: {dialog.inner_text()}"
            dialog.locator(".jp-mod-accept").click()
        kernels = [s["kernel"]["execution_state"] for s in get_json(f"{lab.url}/api/sessions") if s["path"] == name]
        if kernels == ["idle"] and status.get_attribute("data-status") == "idle" and not dialog.count():
            return panel
        assert time.monotonic() < deadline, f"the kernel of {name} was not idle after {KERNEL_START_TIMEOUT} s"
        tab.wait_for_timeout(500)  # lets Playwright route the page's requests


def menu(tab, top: str, item: str) -> None:
    tab.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(top)}$")).click()
    tab.locator(".lm-Menu:visible .lm-Menu-item", has_text=re.compile(rf"^{re.escape(item)}")).first.click()


CELL_STATE_JS = """cells => cells.map(c => ({
    code: c.classList.contains('jp-CodeCell'),
    prompt: (c.querySelector(':scope .jp-InputArea-prompt') || {}).innerText || '',
    stderr: [...c.querySelectorAll(':scope .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
            .map(o => o.innerText)}))"""


def cell_states(panel) -> list[dict]:
    return panel.locator(".jp-Notebook .jp-Cell").evaluate_all(CELL_STATE_JS)


def run_all_cells(tab, panel, name: str, item: str = "Run All Cells") -> list[dict]:
    """Clear the saved outputs, Run > Run All Cells (or another item of the Run menu), and wait until no cell is
    queued or running."""
    menu(tab, "Edit", "Clear Outputs of All Cells")
    tab.wait_for_function("() => !document.querySelector('.jp-NotebookPanel .jp-OutputArea-output')")
    menu(tab, "Run", item)
    status = panel.locator(".jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator")
    deadline, quiet_since = time.monotonic() + RUN_ALL_TIMEOUT, None
    while True:
        cells = cell_states(panel)
        busy = any(c["prompt"].strip() == "[*]:" for c in cells) or status.get_attribute("data-status") != "idle"
        ran = any(re.fullmatch(r"\[\d+\]:", c["prompt"].strip()) for c in cells)
        if busy or not ran:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 2:  # idle twice, 2 s apart: Run All has finished
            return cells
        if time.monotonic() > deadline:
            done = sum(bool(re.fullmatch(r"\[\d+\]:", c["prompt"].strip())) for c in cells)
            running = next((i for i, c in enumerate(cells) if c["prompt"].strip() == "[*]:"), None)
            pytest.fail(f"Run All Cells of {name} did not finish in {RUN_ALL_TIMEOUT} s: {done} code cells done, "
                        f"cell {running} still running (kernel {status.get_attribute('data-status')})", pytrace=False)
        tab.wait_for_timeout(1000)  # lets Playwright route the page's requests


def code_sources(notebook: Path) -> list[str | None]:
    """Per cell: the source of a code cell, None for other cells."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) if c["cell_type"] == "code" else None for c in cells]


def assert_no_errors(cells: list[dict], sources: list[str | None], name: str) -> None:
    assert len(cells) == len(sources), f"{name}: JupyterLab shows {len(cells)} cells, the file has {len(sources)}"
    problems = []
    for i, (cell, src) in enumerate(zip(cells, sources)):
        if src is None or not src.strip():
            continue
        first_line = src.strip().splitlines()[0][:80]
        errors = [text for text in cell["stderr"] if TRACEBACK.search(text)]
        if errors:
            problems.append(f"cell {i} ({first_line!r}) shows an error:\n{errors[0][-1500:]}")
        elif not re.fullmatch(r"\[\d+\]:", cell["prompt"].strip()):
            problems.append(f"cell {i} ({first_line!r}) did not run (prompt {cell['prompt']!r})")
    assert not problems, f"{name} after Run All Cells:\n" + "\n".join(problems)


def wait_for_widgets(tab, panel, n_quizzes: int, name: str):
    """Every self-check is a live widget: no 'Loading widget...' or model-not-found placeholder left."""
    outputs = panel.locator(".jp-OutputArea-output")
    quizzes = panel.locator(".jp-OutputArea-output .course-quiz")
    deadline = time.monotonic() + WIDGET_TIMEOUT
    while quizzes.count() < n_quizzes:
        if time.monotonic() > deadline:
            shown = [" ".join(t.split())[:160] for t in outputs.all_inner_texts()
                     if re.search(r"widget|self-check", t, re.I)]
            pytest.fail(f"{name}: {quizzes.count()} of {n_quizzes} self-check widgets rendered after "
                        f"{WIDGET_TIMEOUT} s; the outputs show instead: {shown}", pytrace=False)
        tab.wait_for_timeout(500)  # lets Playwright route the page's requests
    assert quizzes.count() == n_quizzes, f"{name}: {quizzes.count()} quiz widgets for {n_quizzes} ask() calls"
    broken = [t[:200] for t in outputs.all_inner_texts()
              if re.search(r"Loading widget|Error displaying widget|model not found|Failed to load model", t)]
    assert not broken, f"{name}: widgets failed to render: {broken}"
    return quizzes


def visible_text(markdown: str) -> str:
    """What the widget shows of a bank text: `code` loses its backticks and *emphasis* its stars; text from the
    first $math$ on is typeset by MathJax, so it is cut off."""
    plain = EMPHASIS.sub(r"\1", markdown.split("$")[0])
    return " ".join(plain.replace("`", "").split())


def shown_order(lab: Lab, q: bank.Question) -> tuple[int, ...]:
    """The bank positions of ``q``'s options in the order the lab's kernels show them: the tests fix the learners'
    option seed (COURSE_LIB_OPTION_SEED, set in conftest.py and inherited by the server and its kernels)."""
    return grading.order(q, int(lab.env["COURSE_LIB_OPTION_SEED"]))


def choose(quiz, q: bank.Question, indices: set[int], shown: tuple[int, ...]) -> None:
    """Click the options so that exactly ``indices`` (bank positions) are selected; ``shown`` is the learner's
    order of the options, checked against each label on the way."""
    if q.type == "single":
        options = quiz.locator(".widget-radio-box label")
    else:
        options = quiz.locator(".widget-checkbox")
    assert options.count() == len(q.options), f"{q.id}: {options.count()} options shown, bank has {len(q.options)}"
    for k, i in enumerate(shown):
        label = " ".join(options.nth(k).inner_text().split())
        assert label.startswith(f"{chr(65 + k)}. {visible_text(q.options[i].text)}"), f"{q.id}: option {k} shows {label!r}"
        box = options.nth(k).locator("input")
        if box.is_checked() != (i in indices):
            (options.nth(k) if q.type == "single" else box).click()
    for k, i in enumerate(shown):
        assert options.nth(k).locator("input").is_checked() == (i in indices), f"{q.id}: option {k} not (un)ticked"


def check_and_read(quiz, q: bank.Question, indices: set[int], verdict: str, shown: tuple[int, ...],
                   button: str = "Check") -> None:
    from playwright.sync_api import expect

    choose(quiz, q, indices, shown)
    quiz.get_by_role("button", name=button, exact=True).click()
    feedback = quiz.locator(":scope > .widget-htmlmath").last  # the VBox's last child: the feedback
    expect(feedback).to_contain_text(verdict, timeout=UI_TIMEOUT * 1000)
    for i in sorted(indices):
        expect(feedback).to_contain_text(visible_text(q.options[i].feedback))


def wrong_choice(q: bank.Question) -> set[int]:
    wrong = [i for i in range(len(q.options)) if i not in q.answer]
    return {wrong[0]} if wrong else {min(q.answer)}  # all options right: a strict subset is wrong


def read_progress(lab: Lab, question_id: str, attempts: int) -> dict:
    """The saved record of a question once it counts ``attempts`` (the kernel writes it right after Check)."""
    path = lab.progress_dir / "progress.json"
    deadline = time.monotonic() + UI_TIMEOUT
    while True:
        saved = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        record = saved.get("questions", {}).get(question_id)
        if (record and record["attempts"] >= attempts) or time.monotonic() > deadline:
            return record
        time.sleep(0.25)


def screenshot_centered(tab, element, path: Path) -> None:
    element.evaluate("e => e.scrollIntoView({block: 'center'})")
    tab.wait_for_timeout(300)
    tab.screenshot(path=path)


# ---------------------------------------------------------------------------------------------- tests

def test_chromium_is_installed():
    assert CHROMIUM.exists(), MISSING_CHROMIUM


def test_make_lab_serves_the_learners_copies(browser, lab, page):
    """`make lab` (the README's course command) made the learner's copies and serves them on loopback."""
    names = {item["name"] for item in get_json(f"{lab.url}/api/contents/")["content"]}
    expected = {FIRST_CHAPTER, "zh"} | {p.name for p in CHAPTERS}  # zh/: the Chinese copies (`make lab-zh`)
    assert expected <= names, f"/api/contents/ lists {sorted(names)}; missing {sorted(expected - names)}"
    names_zh = {item["name"] for item in get_json(f"{lab.url}/api/contents/zh")["content"]}
    assert {p.name for p in CHAPTERS_ZH} <= names_zh, names_zh

    from playwright.sync_api import expect

    page.goto(f"{lab.url}/lab/workspaces/make-lab")
    expect(page.locator("#jupyterlab-splash")).to_have_count(0, timeout=UI_TIMEOUT * 1000)  # the lab has loaded
    listing = page.locator(".jp-FileBrowser .jp-DirListing-content .jp-DirListing-itemText")
    for name in sorted(expected):
        item = listing.filter(has_text=re.compile(rf"^{re.escape(name)}$"))
        expect(item).to_have_count(1, timeout=UI_TIMEOUT * 1000)
        expect(item).to_be_visible()
    page.screenshot(path=ARTIFACTS / "make-lab-file-browser.png")
    assert browser.offsite == [], f"the page tried to reach non-loopback addresses: {browser.offsite}"


@pytest.mark.parametrize("notebook", CHAPTERS_ZH or [pytest.param(None, id="no-chapters")],
                         ids=lambda p: f"zh-{p.stem}" if p else "no-chapters")
def test_chapter_runs_in_jupyterlab(notebook, browser, lab, page):
    """Run All on the learner's Chinese copy: every cell runs, blank exercises say "Not done yet" (in Chinese),
    and a self-check shows its question, options and feedback in Chinese, and grades."""
    assert notebook is not None, f"no chapter notebooks {NOTEBOOK_DIR}/zh/0*.ipynb"
    name, stem = f"zh/{notebook.name}", f"zh-{notebook.stem}"
    (ARTIFACTS / f"{stem}-failure.png").unlink(missing_ok=True)
    copy = lab.folder / name
    saved_bytes = copy.read_bytes()
    sources = code_sources(copy)
    asked = asked_in(notebook)  # its ask("...") calls and the review(...) drill of the review chapter, in order
    assert asked, f"{name} calls no ask(...) self-check"
    zh = i18n.catalogue()
    with screenshot_on_failure(page, stem):
        panel = open_notebook(page, lab, name, workspace=f"test-{stem}")
        cells = run_all_cells(page, panel, name)
        assert_no_errors(cells, sources, name)
        checks = sum(bool(src and re.match(r"ex\.\w+\.check\(", src)) for src in sources)
        not_done = panel.locator(".jp-OutputArea-output", has_text=zh["⏳ Not done yet: {message}"].split("{")[0])
        assert not_done.count() == checks, f"{name}: {not_done.count()} of {checks} blank exercises say so"
        quizzes = wait_for_widgets(page, panel, len(asked), name)

        q = bank.load_banks("zh")[asked[0]]  # the first question each chapter asks is a self-check
        quiz = quizzes.first
        shown = shown_order(lab, q)
        check_and_read(quiz, q, wrong_choice(q), zh["Not quite."], shown, button=zh["Check"])
        check_and_read(quiz, q, set(q.answer), zh["Correct!"], shown, button=zh["Check"])
        record = read_progress(lab, q.id, attempts=2)
        assert record is not None, f"no progress saved for {q.id} in {lab.progress_dir}"
        assert (record["attempts"], record["correct"], record["first_try"]) == (2, True, False), record

        screenshot_centered(page, quiz, ARTIFACTS / f"{stem}.png")
        quiz.screenshot(path=ARTIFACTS / f"{stem}-quiz.png")
    assert copy.read_bytes() == saved_bytes, f"{name} was modified (saved) by the browser run"
    assert browser.offsite == [], f"the page tried to reach non-loopback addresses: {browser.offsite}"


MY_MASKED_MEAN = """def masked_mean(x, hist_len):
    mask = torch.arange(x.shape[1]) < hist_len.unsqueeze(1)  # my own solution
    total = (x * mask.unsqueeze(-1)).sum(1)
    return total / mask.sum(1, keepdim=True).clamp(min=1)"""


def test_a_learner_solves_an_exercise_and_keeps_the_work(browser, lab, page):
    """The learner's copy shows the blank stub; the learner writes a solution, the check passes, the notebook
    is saved, and `make lab` run again leaves the work in place."""
    from playwright.sync_api import expect

    with screenshot_on_failure(page, "learner-exercise"):
        panel = open_notebook(page, lab, FIRST_CHAPTER, workspace="test-learner-exercise")
        stub = panel.locator(".jp-CodeCell").filter(has=page.locator(".cm-content", has_text="def masked_mean("))
        expect(stub.locator(".cm-content")).to_contain_text("raise NotImplementedError()")
        check = panel.locator(".jp-CodeCell").filter(has=page.locator(".cm-content", has_text="ex.masked_mean.check("))
        check.locator(".jp-InputPrompt").click()  # select the check cell, then run what comes before it:
        run_all_cells(page, panel, FIRST_CHAPTER, "Run All Above Selected Cell")  # imports, data, the exercises
        check.locator(".cm-content").click()
        page.keyboard.press("Shift+Enter")  # the blank stub's check
        expect(check.locator(".jp-OutputArea-output")).to_contain_text("Not done yet", timeout=UI_TIMEOUT * 1000)

        stub.locator(".cm-content").click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(MY_MASKED_MEAN)  # as pasted: no auto-indent
        page.keyboard.press("Shift+Enter")  # run the cell with the new function
        check.locator(".cm-content").click()
        page.keyboard.press("Shift+Enter")  # run its check
        expect(check.locator(".jp-OutputArea-output")).to_contain_text("✅ Correct", timeout=UI_TIMEOUT * 1000)
        menu(page, "File", "Save Notebook")
        mine = lab.folder / FIRST_CHAPTER
        deadline = time.monotonic() + SAVE_TIMEOUT
        while "# my own solution" not in mine.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "the learner's notebook was not saved"
            page.wait_for_timeout(500)  # not time.sleep: requests pass the route handler only while Playwright runs
        saved = mine.read_bytes()

        again = subprocess.run(lab.recipe.copies, cwd=ROOT, capture_output=True, text=True)  # `make lab` again
        assert again.returncode == 0, again.stderr
        assert mine.read_bytes() == saved, "making the copies again changed the learner's saved notebook"
        assert FIRST_CHAPTER not in again.stdout, again.stdout
    assert browser.offsite == [], f"the page tried to reach non-loopback addresses: {browser.offsite}"


REVIEW_CHAPTER = "07_review.ipynb"


def test_review_shows_what_is_due_and_grades_an_open_question(browser, lab, page, monkeypatch):
    """A question answered wrong long ago is due: the review chapter's queue shows it as a live self-check. The
    learner writes an answer to an open question, reveals the model answer and grades it; the grade is saved."""
    from datetime import date

    from playwright.sync_api import expect

    from course_lib import progress_file

    asked = asked_in(NOTEBOOK_DIR / REVIEW_CHAPTER)
    overdue = next(qid for qid, q in bank.load_banks().items()  # plain text, so the page shows it verbatim
                   if qid not in asked and not re.search(r"[$`*_\\<&']", q.question[:40]))
    monkeypatch.setenv("COURSE_LIB_DATA_DIR", str(lab.progress_dir))  # the file the lab's kernels use
    progress_file.record_answer(overdue, correct=False, today=date(2000, 1, 1))  # due again on 2000-01-02
    first_open = next(qid for qid in asked if qid in bank.load_open())
    with screenshot_on_failure(page, "review-due-and-open"):
        panel = open_notebook(page, lab, REVIEW_CHAPTER, workspace="test-review-due")
        cells = run_all_cells(page, panel, REVIEW_CHAPTER)
        assert_no_errors(cells, code_sources(lab.folder / REVIEW_CHAPTER), REVIEW_CHAPTER)
        expect(panel.locator(".jp-OutputArea-output", has_text="1 question(s) due today")).to_have_count(1)
        wait_for_widgets(page, panel, len(asked) + 1, REVIEW_CHAPTER)  # the drills and the one due question
        expect(panel.locator(".course-quiz").first).to_contain_text(bank.get(overdue).question[:40])

        interview = panel.locator(".course-interview").first
        interview.locator("textarea").fill("Attention weights without softmax keep the intensity of interest.")
        interview.get_by_role("button", name="Show the model answer").click()
        expect(interview).to_contain_text("A strong answer makes these points", timeout=UI_TIMEOUT * 1000)
        interview.get_by_role("button", name="2: full marks").click()
        expect(interview).to_contain_text("Graded 2; it comes back for review in", timeout=UI_TIMEOUT * 1000)
        saved = json.loads((lab.progress_dir / "progress.json").read_text(encoding="utf-8"))
        assert saved["open"][first_open]["grades"][-1] == 2, saved["open"].get(first_open)
        screenshot_centered(page, interview, ARTIFACTS / "review-open-question.png")
    assert browser.offsite == [], f"the page tried to reach non-loopback addresses: {browser.offsite}"


def test_an_exported_page_reads_offline(browser, page, tmp_path):
    """`make html`'s page of a chapter, with every non-loopback request refused: the self-checks show their
    questions and options (no empty widget boxes), the figures load, and no answer is on the page."""
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    from playwright.sync_api import expect

    sys.path.insert(0, str(ROOT / "tools"))
    import export_html

    chapter = NOTEBOOK_DIR / "02_din.ipynb"
    export_html.export(tmp_path, (chapter.stem[:2],))
    quiet = type("Quiet", (SimpleHTTPRequestHandler,), {"log_message": lambda *a: None})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(quiet, directory=str(tmp_path)))
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        with screenshot_on_failure(page, "html-export"):
            page.goto(f"http://127.0.0.1:{server.server_port}/{chapter.stem}.html", wait_until="load")
            asked = [q for q in asked_in(chapter) if q in bank.load_banks()]
            statics = page.locator(".course-quiz-static")
            expect(statics).to_have_count(len(asked))
            first = bank.get(asked[0])
            expect(statics.first).to_contain_text(first.id)
            expect(statics.first.locator("li")).to_have_count(len(first.options))
            images = page.locator(".jp-OutputArea-output img")
            assert images.count() >= 5, f"{images.count()} figures on the page"
            widths = images.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
            assert min(widths) > 0, f"figures that did not load: {widths}"
            seen = page.locator("body").inner_text()
            assert not [o for o in first.options if len(o.feedback) > 25 and o.feedback in seen]
            statics.first.scroll_into_view_if_needed()
            page.screenshot(path=ARTIFACTS / "html-export-offline.png")
    finally:
        server.shutdown()
    assert all(urlsplit(u).hostname == "cdnjs.cloudflare.com" for u in browser.offsite), browser.offsite  # MathJax


# WCAG 2.1 contrast: relative luminance of sRGB colours, and the ratio AA asks to be at least 4.5 for body text.
CONTRAST_JS = """e => {
    const colour = s => (s.match(/[\\d.]+/g) || []).map(Number);
    let node = e, back = [0, 0, 0, 0];
    while (node && node.nodeType === 1) {  // the first opaque background behind the text
        back = colour(getComputedStyle(node).backgroundColor);
        if (back.length === 3 || back[3] > 0.5) break;
        node = node.parentElement;
    }
    return {text: colour(getComputedStyle(e).color), back: back.slice(0, 3), what: e.innerText.slice(0, 60)};
}"""


def luminance(rgb) -> float:
    channel = [(c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4) for c in rgb[:3]]
    return 0.2126 * channel[0] + 0.7152 * channel[1] + 0.0722 * channel[2]


def contrast(element) -> tuple[float, str]:
    seen = element.evaluate(CONTRAST_JS)
    lighter, darker = sorted((luminance(seen["text"]), luminance(seen["back"])), reverse=True)
    return (lighter + 0.05) / (darker + 0.05), f"{seen['what']!r}: {seen['text']} on {seen['back']}"


def press_until(tab, key: str, found: str, limit: int = 300) -> None:
    """Press ``key`` until the focused element matches the JS predicate ``found`` (of the active element)."""
    for _ in range(limit):
        if tab.evaluate(f"() => {{ const e = document.activeElement; return !!e && ({found}); }}"):
            return
        tab.keyboard.press(key)
    pytest.fail(f"{limit} presses of {key} never reached the element ({found})", pytrace=False)


def set_theme(tab, theme: str) -> None:
    tab.locator(".lm-MenuBar-item", has_text=re.compile(r"^Settings$")).click()
    tab.locator(".lm-Menu:visible .lm-Menu-item", has_text=re.compile(r"^Theme")).first.hover()
    tab.locator(".lm-Menu:visible .lm-Menu-item", has_text=re.compile(rf"^{re.escape(theme)}$")).first.click()
    tab.wait_for_function(f"() => document.body.dataset.jpThemeName === {json.dumps(theme)}")


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_a_self_check_answered_with_the_keyboard_reads_in_both_themes(browser, lab, page, theme):
    """Keys only: Tab to the options, arrows to choose, Tab to Check and Enter, the same for Hint and, after two
    wrong tries, Show answer. Options and buttons have accessible names, and question, options and feedback
    keep WCAG AA contrast (4.5:1) against their background in the light and the dark theme."""
    from playwright.sync_api import expect

    asked = asked_in(NOTEBOOK_DIR / FIRST_CHAPTER)
    q = bank.get(asked[0])
    assert q.type == "single", "this test walks a radio group: make the chapter's first self-check single-answer"
    wrong = [f"{o.text}" for o in q.options if not o.correct]
    workspace = "test-theme-" + theme.split()[-1].lower()
    with screenshot_on_failure(page, workspace):
        panel = open_notebook(page, lab, FIRST_CHAPTER, workspace=workspace)
        set_theme(page, theme)
        try:
            sources = code_sources(lab.folder / FIRST_CHAPTER)
            imports = next(i for i, s in enumerate(sources) if s)
            asking = next(i for i, s in enumerate(sources) if s and f'ask("{q.id}")' in s)
            for index in (imports, asking):  # only what the self-check needs, not the whole chapter
                cell = panel.locator(".jp-Notebook .jp-Cell").nth(index)
                cell.locator(".jp-InputArea-editor").click()
                page.keyboard.press("Control+Enter")
                expect(cell.locator(".jp-InputArea-prompt")).to_have_text(re.compile(r"\[\d+\]:"),
                                                                         timeout=KERNEL_START_TIMEOUT * 1000)
            quiz = panel.locator(".jp-Notebook .jp-Cell").nth(asking).locator(".course-quiz")
            expect(quiz).to_be_visible(timeout=WIDGET_TIMEOUT * 1000)
            radios = quiz.get_by_role("radio")
            assert radios.count() == len(q.options)
            for k in range(len(q.options)):  # each option is named by its text, as a screen reader reads it
                expect(quiz.get_by_role("radio", name=re.compile(rf"^{chr(65 + k)}\. "))).to_have_count(1)
            for name in ("Check", "Hint"):
                expect(quiz.get_by_role("button", name=name, exact=True)).to_have_count(1)

            page.keyboard.press("Escape")  # command mode: Tab now moves the browser's focus
            inside = "e.closest('.course-quiz') !== null"
            press_until(page, "Tab", f"{inside} && e.type === 'radio'")
            # each radio is a tab stop of its own (ipywidgets gives them no common name); Space chooses one
            press_until(page, "Tab", f"{inside} && e.type === 'radio' && "
                                     f"{json.dumps(wrong)}.some(t => e.parentElement.innerText.endsWith(t))")
            page.keyboard.press("Space")
            assert page.evaluate("() => document.activeElement.checked"), "Space did not choose the option"
            press_until(page, "Tab", f"{inside} && e.innerText === 'Check'")
            for attempt in (1, 2):  # two wrong tries make "Show answer" appear
                page.keyboard.press("Enter")
                expect(quiz).to_contain_text(f"attempt {attempt}", timeout=UI_TIMEOUT * 1000)
                expect(quiz).to_contain_text("Not quite.")
            feedback = quiz.locator(".widget-htmlmath").last
            ratios = [contrast(quiz.locator(".widget-htmlmath p").first), contrast(quiz.locator("label").first),
                      contrast(feedback.locator("p, li, div").filter(has_text="Not quite.").last)]
            press_until(page, "Tab", f"{inside} && e.innerText === 'Hint'")
            page.keyboard.press("Enter")
            expect(feedback).to_contain_text("💡", timeout=UI_TIMEOUT * 1000)
            press_until(page, "Tab", f"{inside} && e.innerText === 'Show answer'")
            page.keyboard.press("Enter")
            expect(feedback).not_to_contain_text("💡", timeout=UI_TIMEOUT * 1000)
            ratios.append(contrast(feedback.locator("li, p").first))
            low = [f"{r:.2f} for {what}" for r, what in ratios if r < 4.5]
            assert not low, f"{theme}: text below WCAG AA contrast 4.5:1: {low}"
            screenshot_centered(page, quiz, ARTIFACTS / f"quiz-{workspace}.png")
        finally:
            set_theme(page, "JupyterLab Light")  # the setting persists for the other tests of this server
    assert browser.offsite == [], f"the page tried to reach non-loopback addresses: {browser.offsite}"


@pytest.fixture(scope="module")
def notebook7(lab) -> Iterator[str]:
    """Jupyter Notebook 7 (the `notebook` package) on the same learner's copies, settings and progress folder."""
    command = [str(Path(sys.executable).parent / "jupyter"), "notebook", str(lab.folder)]
    with serve(command, lab.env, "Jupyter Notebook", ARTIFACTS / "notebook7-log.txt") as url:
        yield url


def test_a_chapter_runs_in_jupyter_notebook_7(browser, lab, notebook7, page):
    """The learner's copy of a chapter in Notebook 7: Run All, every self-check is a live widget that grades
    an answer, and a blank exercise's check says "Not done yet"."""
    from playwright.sync_api import expect

    copy = lab.folder / FIRST_CHAPTER
    saved_bytes = copy.read_bytes()
    asked = asked_in(NOTEBOOK_DIR / FIRST_CHAPTER)
    with screenshot_on_failure(page, "notebook7"):
        page.goto(f"{notebook7}/notebooks/{quote(FIRST_CHAPTER)}")
        panel = page.locator(".jp-NotebookPanel")
        panel.wait_for(state="visible", timeout=KERNEL_START_TIMEOUT * 1000)
        deadline = time.monotonic() + KERNEL_START_TIMEOUT
        while [s["kernel"]["execution_state"] for s in get_json(f"{notebook7}/api/sessions")
               if s["path"] == FIRST_CHAPTER] != ["idle"]:
            assert time.monotonic() < deadline, f"the kernel of {FIRST_CHAPTER} was not idle in Notebook 7"
            page.wait_for_timeout(500)
        cells = run_all_cells(page, panel, FIRST_CHAPTER)
        assert_no_errors(cells, code_sources(copy), FIRST_CHAPTER)
        quizzes = wait_for_widgets(page, panel, len(asked), FIRST_CHAPTER)
        q = bank.get(asked[0])
        check_and_read(quizzes.first, q, set(q.answer), "Correct!", shown_order(lab, q))
        expect(panel.locator(".jp-OutputArea-output", has_text="Not done yet").first).to_be_visible()
        screenshot_centered(page, quizzes.first, ARTIFACTS / "notebook7-quiz.png")
    assert copy.read_bytes() == saved_bytes, f"{FIRST_CHAPTER} was modified (saved) by the Notebook 7 run"
    assert browser.offsite == [], f"the page tried to reach non-loopback addresses: {browser.offsite}"
