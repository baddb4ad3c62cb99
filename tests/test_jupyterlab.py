"""A learner's route: a real JupyterLab server on localhost runs a chapter through its kernel API.

Starts `jupyter lab` from the virtual environment (as `jupyter lab book/` would for a learner),
checks that the JupyterLab page is served, opens a notebook session as the Lab front end does,
and executes every code cell of a chapter over the kernel's websocket, in order. Any error
output fails the test with the cell and the error.
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = "book/welcome.ipynb"  # quick, and it loads the trained model, generates and counts parameters


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab():
    """A JupyterLab server rooted at the repository; yields (base_url, token)."""
    port, token = free_port(), secrets.token_hex(16)
    command = [str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser", "--allow-root", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request(base, token, "GET", "/api/status")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail("JupyterLab did not start:\n" + process.stderr.read()[-3000:])
                time.sleep(0.5)
        yield base, token
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def request(base: str, token: str, method: str, path: str, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as response:
        text = response.read().decode()
        return json.loads(text) if text and response.headers.get_content_type() == "application/json" else text


def execute(ws, session: str, code: str, timeout: float = 300) -> tuple[str, list[dict]]:
    """Send one execute_request; return the reply status and the iopub error messages."""
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": "learner", "session": session, "msg_type": "execute_request",
                   "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    errors, status, idle = [], None, False
    deadline = time.monotonic() + timeout
    while status is None or not idle:  # the reply comes on shell, the outputs and "idle" on iopub
        if time.monotonic() > deadline:
            pytest.fail(f"no reply within {timeout:.0f} s for:\n{code}")
        message = json.loads(ws.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        if kind == "error":
            errors.append(message["content"])
        elif kind == "execute_reply":
            status = message["content"]["status"]
        elif kind == "status" and message["content"]["execution_state"] == "idle":
            idle = True
    return status, errors


def test_jupyterlab_serves_the_lab_page(lab):
    base, token = lab
    page = request(base, token, "GET", "/lab")
    assert "JupyterLab" in page or "jupyter-config-data" in page


def test_a_chapter_runs_top_to_bottom_through_the_lab_server(lab):
    import websocket

    base, token = lab
    session = request(base, token, "POST", "/api/sessions",
                      {"path": CHAPTER, "type": "notebook", "name": Path(CHAPTER).name, "kernel": {"name": "python3"}})
    kernel_id = session["kernel"]["id"]
    ws_url = base.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
    ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=300)
    try:
        notebook = nbformat.read(ROOT / CHAPTER, as_version=4)
        cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert cells, f"{CHAPTER} has no code cells"
        for number, cell in enumerate(cells, start=1):
            status, errors = execute(ws, uuid.uuid4().hex, cell.source)
            detail = "; ".join(f"{e['ename']}: {e['evalue']}" for e in errors)
            assert status == "ok" and not errors, f"code cell {number} of {CHAPTER} failed: {detail}\n{cell.source}"
    finally:
        ws.close()
        request(base, token, "DELETE", f"/api/sessions/{session['id']}")
