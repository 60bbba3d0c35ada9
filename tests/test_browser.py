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

from course_lib.quiz import bank

from notebook_questions import asked_in  # tests/notebook_questions.py

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
CHAPTERS = sorted(NOTEBOOK_DIR.glob("0*.ipynb"))
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


def make_lab_recipe(learner: Path) -> Recipe:
    """The recipe of ``make lab`` with $(BIN) the bin folder of the Python running the tests (.venv/bin under
    ``make test``) and $(LEARNER) the given folder, never the learner's own my-notebooks/."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^lab:.*\n((?:\t.*\n?)+)", makefile, re.M)
    assert recipe, "the Makefile has no `lab` target: the README's course command is `make lab`"
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


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Lab]:
    """``make lab`` with a throwaway learner folder: the learner's copies made, then JupyterLab started on them,
    on a free loopback port with a throwaway token-less config."""
    tmp = tmp_path_factory.mktemp("jupyterlab")
    recipe = make_lab_recipe(tmp / "my-notebooks")
    made = subprocess.run(recipe.copies, cwd=ROOT, capture_output=True, text=True)
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
    port = free_port()
    command = recipe.server + [f"--port={port}", "--no-browser", "--ip=127.0.0.1", "--IdentityProvider.token="]
    if getattr(os, "geteuid", lambda: 1)() == 0:
        command.append("--allow-root")  # CI containers run as root
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "jupyterlab-log.txt"
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w", encoding="utf-8") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while True:
                if server.poll() is not None:
                    pytest.fail(f"JupyterLab exited with code {server.returncode}: {shlex.join(command)}\n"
                                f"{log_path.read_text()[-3000:]}", pytrace=False)
                try:
                    get_json(f"{url}/api/status", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"JupyterLab did not answer on {url} within {SERVER_START_TIMEOUT} s:\n"
                                    f"{log_path.read_text()[-3000:]}", pytrace=False)
                    time.sleep(0.5)
            yield Lab(url, progress_dir, tmp / "my-notebooks", recipe)
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


def run_all_cells(tab, panel, name: str) -> list[dict]:
    """Clear the saved outputs, Run > Run All Cells, and wait until no cell is queued or running."""
    menu(tab, "Edit", "Clear Outputs of All Cells")
    tab.wait_for_function("() => !document.querySelector('.jp-NotebookPanel .jp-OutputArea-output')")
    menu(tab, "Run", "Run All Cells")
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
    plain = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", markdown.split("$")[0])
    return " ".join(plain.replace("`", "").split())


def choose(quiz, q: bank.Question, indices: set[int]) -> None:
    """Click the options so that exactly ``indices`` are selected; checks each option's label on the way."""
    if q.type == "single":
        options = quiz.locator(".widget-radio-box label")
    else:
        options = quiz.locator(".widget-checkbox")
    assert options.count() == len(q.options), f"{q.id}: {options.count()} options shown, bank has {len(q.options)}"
    for i, option in enumerate(q.options):
        shown = options.nth(i)
        label = " ".join(shown.inner_text().split())
        assert label.startswith(f"{chr(65 + i)}. {visible_text(option.text)}"), f"{q.id}: option {i} shows {label!r}"
        box = shown.locator("input")
        if box.is_checked() != (i in indices):
            (shown if q.type == "single" else box).click()
    for i in range(len(q.options)):
        assert options.nth(i).locator("input").is_checked() == (i in indices), f"{q.id}: option {i} not (un)ticked"


def check_and_read(quiz, q: bank.Question, indices: set[int], verdict: str) -> None:
    from playwright.sync_api import expect

    choose(quiz, q, indices)
    quiz.get_by_role("button", name="Check", exact=True).click()
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
    expected = {FIRST_CHAPTER} | {p.name for p in CHAPTERS}
    assert expected <= names, f"/api/contents/ lists {sorted(names)}; missing {sorted(expected - names)}"

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


@pytest.mark.parametrize("notebook", CHAPTERS or [pytest.param(None, id="no-chapters")],
                         ids=lambda p: p.stem if p else "no-chapters")
def test_chapter_runs_in_jupyterlab(notebook, browser, lab, page):
    """Run All on the learner's copy: every cell runs, blank exercises say "Not done yet", self-checks work."""
    assert notebook is not None, f"no chapter notebooks {NOTEBOOK_DIR}/0*.ipynb"
    (ARTIFACTS / f"{notebook.stem}-failure.png").unlink(missing_ok=True)
    copy = lab.folder / notebook.name
    saved_bytes = copy.read_bytes()
    sources = code_sources(copy)
    asked = asked_in(notebook)  # its ask("...") calls and the review(...) drill of the review chapter, in order
    assert asked, f"{notebook.name} calls no ask(...) self-check"
    with screenshot_on_failure(page, notebook.stem):
        panel = open_notebook(page, lab, notebook.name, workspace=f"test-{notebook.stem}")
        cells = run_all_cells(page, panel, notebook.name)
        assert_no_errors(cells, sources, notebook.name)
        checks = sum(bool(src and re.match(r"ex\.\w+\.check\(", src)) for src in sources)
        not_done = panel.locator(".jp-OutputArea-output", has_text="Not done yet")
        assert not_done.count() == checks, f"{notebook.name}: {not_done.count()} of {checks} blank exercises say so"
        quizzes = wait_for_widgets(page, panel, len(asked), notebook.name)

        q = bank.get(asked[0])
        quiz = quizzes.first
        check_and_read(quiz, q, wrong_choice(q), "Not quite.")
        check_and_read(quiz, q, set(q.answer), "Correct!")
        record = read_progress(lab, q.id, attempts=2)
        assert record is not None, f"no progress saved for {q.id} in {lab.progress_dir}"
        assert (record["attempts"], record["correct"], record["first_try"]) == (2, True, False), record

        screenshot_centered(page, quiz, ARTIFACTS / f"{notebook.stem}.png")
        quiz.screenshot(path=ARTIFACTS / f"{notebook.stem}-quiz.png")
    assert copy.read_bytes() == saved_bytes, f"{notebook.name} was modified (saved) by the browser run"
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
        run_all_cells(page, panel, FIRST_CHAPTER)  # imports, data and the exercise modules
        check = panel.locator(".jp-CodeCell").filter(has=page.locator(".cm-content", has_text="ex.masked_mean.check("))
        expect(check.locator(".jp-OutputArea-output")).to_contain_text("Not done yet")

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
