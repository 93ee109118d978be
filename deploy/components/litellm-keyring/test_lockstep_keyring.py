"""End-to-end test of lockstep_keyring on a real LiteLLM proxy (no database, mock model).

Run: .venv/bin/python -m unittest discover -s deploy/components/litellm-keyring -v

One LiteLLM process serves every case (start-up takes 5-12 s on 2 cores). The module's folder is on
PYTHONPATH and the config lives in another temporary folder, as in Kubernetes (ConfigMap folder +
PYTHONPATH). The ring file is laid out and swapped the way kubelet's AtomicWriter does it.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = "lockstep-keyring-probe"


def _key(tag: str) -> str:
    # Random per run, so that finding one in the log can only mean it leaked.
    return f"sk-{tag}-{secrets.token_urlsafe(24)}"


MASTER = _key("master")
R1, R2, R3 = _key("ringone"), _key("ringtwo"), _key("ringthree")
WRONG = _key("wrong")
OVERSIZED = "sk-" + "x" * 600  # printable, but over the 512-byte line limit
MANY = [_key(f"many{i}") for i in range(20)]
ALL_SECRETS = [MASTER, R1, R2, R3, WRONG, OVERSIZED, *MANY]


class AtomicDir:
    """kubelet AtomicWriter layout: keys -> ..data/keys, ..data -> ..<timestamp> (swapped by rename)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.n = 0
        os.makedirs(root)

    def write(self, content: bytes | None, payload_is_dir: bool = False) -> None:
        self.n += 1
        ts = time.strftime("..%Y_%m_%d_%H_%M_%S.") + f"{os.getpid()}{self.n:04d}"
        new = os.path.join(self.root, ts)
        os.mkdir(new)
        payload = os.path.join(new, "keys")
        if payload_is_dir:
            os.mkdir(payload)  # open() then fails: "exists but cannot be read"
        elif content is not None:  # None: the Secret has no such key any more
            with open(payload, "wb") as f:
                f.write(content)
        data = os.path.join(self.root, "..data")
        old = os.readlink(data) if os.path.islink(data) else None
        tmp_link = os.path.join(self.root, "..data_tmp")
        os.symlink(ts, tmp_link)
        os.rename(tmp_link, data)
        link = os.path.join(self.root, "keys")
        if not os.path.lexists(link):
            os.symlink(os.path.join("..data", "keys"), link)
        if old:
            shutil.rmtree(os.path.join(self.root, old))

    def keys(self, *keys: str) -> None:
        self.write("".join(k + "\n" for k in keys).encode())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _poll(check, timeout: float, interval: float = 0.05):
    """Call check() until it returns a truthy value or timeout passes; return the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


class KeyringOnRealLiteLLM(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.mkdtemp(prefix="lockstep-keyring-test-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls.ring = AtomicDir(os.path.join(cls.tmp, "ring"))
        cls.ring.keys(R1, R2)
        cfg_dir = os.path.join(cls.tmp, "config")  # not the module's folder: found via PYTHONPATH
        os.mkdir(cfg_dir)
        cfg = os.path.join(cfg_dir, "config.yaml")
        with open(cfg, "w") as f:
            f.write(
                "model_list:\n"
                "  - model_name: mock\n"
                "    litellm_params: {model: openai/mock, api_key: unused, mock_response: hello}\n"
                "general_settings:\n"
                "  master_key: os.environ/PROXY_MASTER_KEY\n"
                "  custom_auth: lockstep_keyring.user_api_key_auth\n"
                "  custom_auth_run_common_checks: true\n"
            )
        env = {k: v for k, v in os.environ.items() if k not in ("LITELLM_MASTER_KEY", "DATABASE_URL")}
        env.update(
            PROXY_MASTER_KEY=MASTER,
            LOCKSTEP_KEYRING_FILE=os.path.join(cls.ring.root, "keys"),
            PYTHONPATH=HERE,
            LITELLM_LOCAL_MODEL_COST_MAP="True",
            PYTHONUNBUFFERED="1",
        )
        litellm = os.path.join(os.path.dirname(sys.executable), "litellm")
        port = _free_port()
        cls.base = f"http://127.0.0.1:{port}"
        cls.log_path = os.path.join(cls.tmp, "litellm.log")
        cls.log = open(cls.log_path, "wb")
        cls.addClassCleanup(cls.log.close)
        started = time.monotonic()
        cls.proc = subprocess.Popen(
            [litellm, "--config", cfg, "--host", "127.0.0.1", "--port", str(port)],
            stdout=cls.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=cls.tmp,
        )
        cls.addClassCleanup(cls._stop)

        def ready():
            if cls.proc.poll() is not None:
                return "exited"
            return cls._get("/health/readiness")[0] == 200

        state = _poll(ready, 60, 0.2)
        if state is not True:
            raise RuntimeError(f"LiteLLM not ready ({state or 'timeout'}); log: {cls.log_path}")
        cls.startup_s = time.monotonic() - started
        print(f"\nLiteLLM ready in {cls.startup_s:.1f} s (pid {cls.proc.pid})", file=sys.stderr)

    @classmethod
    def _stop(cls) -> None:
        # By PID: SIGTERM (LiteLLM drains and exits in ~1.5 s), then SIGKILL, both bounded.
        if cls.proc.poll() is None:
            cls.proc.send_signal(signal.SIGTERM)
            try:
                cls.proc.wait(10)
            except subprocess.TimeoutExpired:
                cls.proc.kill()
                cls.proc.wait(5)

    @classmethod
    def tearDownClass(cls) -> None:
        cls._stop()
        cls.log.flush()
        with open(cls.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        leaked = [i for i, k in enumerate(ALL_SECRETS) if k in text]
        if leaked:
            raise AssertionError(f"{len(leaked)} key(s) found in the LiteLLM log after shutdown")

    # --- helpers -----------------------------------------------------------------------------------

    @classmethod
    def _get(cls, path: str, key: str | None = None, body: dict | None = None) -> tuple[int, str]:
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(cls.base + path, data=data, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except OSError as e:
            return 0, type(e).__name__

    def models(self, key: str | None) -> int:
        return self._get("/v1/models", key)[0]

    def chat(self, key: str | None) -> tuple[int, str]:
        return self._get("/v1/chat/completions", key, {"model": "mock", "messages": [{"role": "user", "content": "hi"}]})

    def probe(self) -> tuple[int, str]:
        return self._get("/v1/models", PROBE)

    def setUp(self) -> None:
        # Every case starts from the ring {R1, R2}, seen by the gateway.
        self.ring.keys(R1, R2)
        self.assertTrue(_poll(lambda: "ring keys: 2\"" in self.probe()[1], 5), self.probe())

    # --- cases -------------------------------------------------------------------------------------

    def test_ring_key_gets_master_rights(self) -> None:
        for key in (R1, R2):
            self.assertEqual(self.models(key), 200)
            status, body = self.chat(key)
            self.assertEqual(status, 200, body)
            self.assertIn("hello", body)
            # /memory-usage-in-mem-cache is in LiteLLMRoutes.master_key_only_routes; /health needs admin.
            self.assertEqual(self._get("/memory-usage-in-mem-cache", key)[0], 200)
            self.assertEqual(self._get("/health", key)[0], 200)

    def test_master_key_still_works(self) -> None:
        self.assertEqual(self.models(MASTER), 200)
        self.assertEqual(self.chat(MASTER)[0], 200)
        self.assertEqual(self._get("/memory-usage-in-mem-cache", MASTER)[0], 200)

    def test_wrong_key_refused_without_echo(self) -> None:
        for path in ("/v1/models", "/memory-usage-in-mem-cache"):
            status, body = self._get(path, WRONG)
            self.assertIn(status, (400, 401), body)
            self.assertNotIn(WRONG, body)
            self.assertNotIn(WRONG[4:20], body)
        status, body = self.chat(WRONG)
        self.assertEqual(status, 400)  # LiteLLM's own answer without a DB: the module declined
        self.assertIn("no_db_connection", body)

    def test_no_key_refused(self) -> None:
        status, body = self._get("/v1/models")
        self.assertEqual(status, 401, body)
        self.assertIn("No api key passed in", body)

    def test_probe_is_a_distinctive_refusal(self) -> None:
        status, body = self.probe()
        self.assertEqual(status, 401)
        err = json.loads(body)["error"]
        self.assertEqual(err["message"], "lockstep-keyring: active; ring keys: 2")
        self.assertEqual(self.chat(PROBE)[0], 401)  # never access, on any route

    def test_removed_key_refused_after_atomic_swap(self) -> None:
        self.ring.keys(R2)
        t0 = time.monotonic()
        self.assertTrue(_poll(lambda: self.models(R1) == 400, 5))
        print(f" [removed key refused after {time.monotonic() - t0:.3f} s]", file=sys.stderr, end="")
        self.assertEqual(self.models(R2), 200)
        self.assertEqual(self.models(MASTER), 200)

    def test_two_swaps_within_one_second(self) -> None:
        t0 = time.monotonic()
        self.ring.keys(R3)
        self.assertTrue(_poll(lambda: self.models(R3) == 200, 5))
        self.assertEqual(self.models(R1), 400)
        self.ring.keys(R1)
        self.assertTrue(_poll(lambda: self.models(R1) == 200, 5))
        self.assertEqual(self.models(R3), 400)
        elapsed = time.monotonic() - t0
        print(f" [two swaps seen in {elapsed:.3f} s]", file=sys.stderr, end="")
        self.assertLess(elapsed, 1.0)

    def test_garbage_and_oversized_lines_ignored(self) -> None:
        content = b"".join(
            [
                b"  " + R3.encode() + b"\r\n",  # surrounding whitespace is stripped
                OVERSIZED.encode() + b"\n",
                b"sk-has a space-0123456789\n",
                b"sk-ctl\x01-0123456789abcdef\n",
                b"sk-short\n",
                b"\n   \n",
                PROBE.encode() + b"\n",  # the public probe token is never a key
            ]
        )
        self.ring.write(content)
        self.assertTrue(_poll(lambda: "ring keys: 1;" in self.probe()[1], 5))
        self.assertEqual(json.loads(self.probe()[1])["error"]["message"], "lockstep-keyring: active; ring keys: 1; ignored lines: 5")
        self.assertEqual(self.models(R3), 200)
        self.assertEqual(self.models(OVERSIZED), 400)
        self.assertEqual(self.models(R1), 400)

    def test_at_most_16_keys(self) -> None:
        self.ring.keys(*MANY)
        self.assertTrue(_poll(lambda: "ring keys: 16; ignored lines: 4" in self.probe()[1], 5), self.probe())
        self.assertEqual(self.models(MANY[15]), 200)
        self.assertEqual(self.models(MANY[16]), 400)

    def test_missing_and_unreadable_ring(self) -> None:
        self.ring.write(None)  # Secret key gone: keys -> ..data/keys dangles
        self.assertTrue(_poll(lambda: "ring keys: 0 (file missing)" in self.probe()[1], 5), self.probe())
        self.assertEqual(self.models(R1), 400)
        self.ring.write(b"", payload_is_dir=True)
        self.assertTrue(_poll(lambda: "lockstep-keyring: ring unreadable" in self.probe()[1], 5), self.probe())
        self.assertEqual(self.probe()[0], 401)
        self.assertEqual(self.models(R1), 400)
        self.assertEqual(self.models(MASTER), 200)
        self.ring.write(b"")  # empty file: an empty ring, not an error
        self.assertTrue(_poll(lambda: "active; ring keys: 0\"" in self.probe()[1], 5), self.probe())

    def test_zz_log_has_no_key_and_only_counts(self) -> None:
        # Runs last (alphabetical order); tearDownClass checks again after shutdown.
        with open(self.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        for k in ALL_SECRETS:
            self.assertNotIn(k, text, "a key leaked into the log")
        self.assertIn("holds no usable key", text)  # the module's own warnings do reach the log
        self.assertIn("line(s) ignored", text)


if __name__ == "__main__":
    unittest.main()
