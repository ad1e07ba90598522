"""Azurite (Microsoft's Azure Storage emulator, npm `azurite`), started and stopped by the tests themselves: a blob
service on a free port in a temp folder with a container made, handed to a test as a store `Location`. The conftest's
`azurite` fixture (session-wide) and `azurite_env` (the same as the environment variables an app replica reads) are
built on `running`."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sendlib.store.location import Location

AZURITE_ACCOUNT = "devstoreaccount1"
# Azurite's documented development key: a public constant, not a secret.
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
CONTAINER = "sendlib"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"azurite-blob exited with {proc.returncode}: {log.read_text(errors='replace')}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"azurite-blob did not listen on {port} within {timeout} s: {log.read_text(errors='replace')}")


@contextmanager
def running(folder: Path) -> Iterator[Location]:
    """Azurite's blob service on a free port in a temp folder, with a container made: the URI and storage options
    of an empty place to put stores. `use_emulator` would fix the port at 10000, so the endpoint is given instead."""
    exe = shutil.which("azurite-blob")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but azurite-blob is missing: .ci/run installs it (npm install -g azurite@3.37.0)")
        pytest.skip("azurite-blob is not installed (npm install -g azurite@3.37.0); the Azurite tests need it")
    from azure.storage.blob import BlobServiceClient

    log = folder / "azurite.log"
    port = _free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([exe, "--skipApiVersionCheck", "--loose", "--silent", "--blobHost", "127.0.0.1",
                                 "--blobPort", str(port), "--location", str(folder / "data")],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, proc, log)
        endpoint = f"http://127.0.0.1:{port}/{AZURITE_ACCOUNT}"
        connection = (f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
                      f"BlobEndpoint={endpoint};")
        BlobServiceClient.from_connection_string(connection).create_container(CONTAINER)
        options = {"account_name": AZURITE_ACCOUNT, "account_key": AZURITE_KEY, "azure_storage_endpoint": endpoint,
                   "allow_http": "true"}
        yield Location(f"az://{CONTAINER}", options, is_local=False)
    finally:
        # Azurite waits on open keep-alive connections (delta-rs pools them) before it exits: give it a moment.
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def environment(location: Location) -> dict[str, str]:
    """The environment variables that reach `location` as an app replica would (no secrets file)."""
    options = location.storage_options
    return {"AZURE_STORAGE_ACCOUNT_NAME": options["account_name"], "AZURE_STORAGE_ACCOUNT_KEY": options["account_key"],
            "AZURE_STORAGE_ENDPOINT": options["azure_storage_endpoint"], "AZURE_ALLOW_HTTP": "true"}
