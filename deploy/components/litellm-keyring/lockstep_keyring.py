"""Lockstep key ring: a LiteLLM custom-auth hook that accepts a few extra keys besides the master key.

Why: a running LiteLLM reads its master key once at start-up, so a rotation without failed requests
needs the new (or old) key accepted while pods and clients move over. The ring is a file (a Secret
volume) holding one key per line; a ring key gets exactly the identity LiteLLM gives the master key.

Loaded by (checked on litellm 1.108.7):
    general_settings:
      master_key: os.environ/PROXY_MASTER_KEY
      custom_auth: lockstep_keyring.user_api_key_auth
      custom_auth_run_common_checks: true
litellm/proxy/types_utils/utils.py:get_instance_fn looks for lockstep_keyring.py next to the config
file first and otherwise uses importlib.import_module, so the folder on PYTHONPATH is enough.

Outcomes of user_api_key_auth (litellm/proxy/auth/user_api_key_auth.py:user_api_key_auth_builder
calls litellm_enterprise/proxy/auth/user_api_key_auth.py:enterprise_custom_auth, which calls us):
  - ring key          -> UserAPIKeyAuth with the master key's identity (accepted, returned as is);
  - anything else     -> None: the builder goes on with LiteLLM's own auth (master key, 401, 400...);
  - the probe token   -> ProxyException 401 "lockstep-keyring: ..." (enterprise_custom_auth re-raises
                         ProxyException even in mode "auto"; the builder's handler passes it through).
Never return a str: the builder would use it as the key, and without the wrapper it would be echoed.
"""

import hashlib
import hmac
import logging
import os
import sys
import threading

from litellm.constants import LITELLM_PROXY_MASTER_KEY_ALIAS
from litellm.proxy._types import LitellmUserRoles, ProxyErrorTypes, ProxyException, UserAPIKeyAuth

log = logging.getLogger("lockstep_keyring")

# Public, not a secret: Lockstep's preflight sends it to every gateway pod and expects our refusal
# (LiteLLM alone answers 400 no_db_connection, so the module's absence is visible).
PROBE_TOKEN = "lockstep-keyring-probe"
DEFAULT_RING_FILE = "/var/run/lockstep/keyring/keys"
MAX_KEYS = 16
MAX_LINE = 512  # bytes; longer lines are ignored (a key is ~50)
MIN_KEY = 16  # shorter lines are ignored: a ring key has proxy-admin rights (LiteLLM's MINIMUM_CUSTOM_KEY_LENGTH)
MAX_FILE = 64 * 1024  # a bigger file is refused whole ("unreadable") rather than cut mid-line


def _digest(secret: bytes) -> bytes:
    # Keys are kept and compared as SHA-256 digests: equal lengths, so compare_digest leaks nothing
    # about a key's length, and the cache never holds a key in clear.
    return hashlib.sha256(secret).digest()


def _encode(api_key: str) -> bytes:
    return api_key.encode("utf-8", "replace")


def _parse(data: bytes) -> tuple[tuple[bytes, ...], int]:
    """Ring digests and the number of ignored lines (only counts are ever logged)."""
    digests: list[bytes] = []
    ignored = 0
    for raw in data.split(b"\n"):
        line = raw.strip()  # surrounding whitespace, \r included
        if not line:
            continue
        printable = all(0x21 <= c <= 0x7E for c in line)  # a bearer token has no spaces or controls
        if not printable or not MIN_KEY <= len(line) <= MAX_LINE or line == PROBE_TOKEN.encode():
            ignored += 1
            continue
        d = _digest(line)
        if d in digests:
            continue
        if len(digests) >= MAX_KEYS:
            ignored += 1
            continue
        digests.append(d)
    return tuple(digests), ignored


class _Ring:
    """The module's only mutable state: the ring as last read, and the stat() it was read under.

    Refresh is synchronous (no await between stat, read and swap), so coroutines on LiteLLM's event
    loop cannot interleave inside it; the lock only covers callers on other threads. The file is a
    few hundred bytes on a tmpfs and is read only when its stat changes, so blocking is negligible.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._sig: object = None  # None: never looked; else what _signature() returned
        self._state = "missing"  # "ok" | "missing" | "unreadable"
        self._digests: tuple[bytes, ...] = ()
        self._ignored = 0
        self._logged: object = None

    def _signature(self) -> object:
        # stat(), not lstat(): kubelet's AtomicWriter swaps the `..data` symlink, so only the target
        # changes (new inode, mtime). ctime is added so that a chmod fixing an unreadable file counts.
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return "missing"
        except OSError as e:
            return ("stat-error", e.errno)
        return (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as f:
                # Record the signature of what we actually read: a swap between our stat() and
                # open() then just causes one more re-read on the next request.
                st = os.fstat(f.fileno())
                data = f.read(MAX_FILE + 1)
            self._sig = (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)
            if len(data) > MAX_FILE:
                raise OSError("ring file too large")
        except FileNotFoundError:
            self._state, self._digests, self._ignored = "missing", (), 0
            return
        except OSError:
            # Fail closed: an unreadable ring accepts nothing (the master key is unaffected).
            self._state, self._digests, self._ignored = "unreadable", (), 0
            return
        self._state = "ok"
        self._digests, self._ignored = _parse(data)

    def snapshot(self) -> tuple[str, tuple[bytes, ...], int]:
        """(state, digests, ignored) for this request; re-reads the file only when its stat changed."""
        sig = self._signature()
        with self._lock:
            if sig != self._sig:
                self._sig = sig
                if sig == "missing":
                    self._state, self._digests, self._ignored = "missing", (), 0
                elif isinstance(sig, tuple) and sig[0] == "stat-error":
                    self._state, self._digests, self._ignored = "unreadable", (), 0
                else:
                    self._load()
                self._log_change()
            return self._state, self._digests, self._ignored

    def _log_change(self) -> None:
        # Once per change of what the ring looks like, never per request; counts and the path only.
        now = (self._state, len(self._digests), self._ignored)
        if now == self._logged:
            return
        self._logged = now
        if self._state == "missing":
            log.warning("ring file %s is missing: ring empty", self.path)
        elif self._state == "unreadable":
            log.warning("ring file %s exists but cannot be read: ring empty", self.path)
        elif not self._digests:
            log.warning("ring file %s holds no usable key: ring empty", self.path)
        else:
            log.info("ring file %s: %d key(s) loaded", self.path, len(self._digests))
        if self._ignored:
            log.warning(
                "ring file %s: %d line(s) ignored (not 16-%d printable bytes, or over %d keys)",
                self.path, self._ignored, MAX_LINE, MAX_KEYS,
            )


_ring = _Ring(os.environ.get("LOCKSTEP_KEYRING_FILE") or DEFAULT_RING_FILE)


def _in_ring(presented: bytes, digests: tuple[bytes, ...]) -> bool:
    # Compare with every ring key, no early exit: the time depends on the ring size only.
    d = _digest(presented)
    hit = False
    for key in digests:
        hit |= hmac.compare_digest(d, key)
    return hit


def _wrapper_present() -> bool:
    # user_api_key_auth_builder only lets a custom auth decline (return None) through the
    # litellm_enterprise wrapper; it keeps that in the module global `enterprise_custom_auth`.
    mod = sys.modules.get("litellm.proxy.auth.user_api_key_auth")
    return getattr(mod, "enterprise_custom_auth", None) is not None


def _master_identity(request: object) -> UserAPIKeyAuth:
    """What user_api_key_auth_builder gives the master key (its `if is_master_key_valid:` branch via
    _return_user_api_key_auth_obj): the alias instead of the key, PROXY_ADMIN, the proxy admin's
    user_id. Its end-user fields are filled later by run_centralized_common_checks
    (custom_auth_run_common_checks: true); `via_virtual_key` is a server-only marker LiteLLM strips
    from custom auth on purpose, so it is left unset (only affects overwrite_user_with_key_hash)."""
    from litellm.proxy import proxy_server  # read at call time: set when the config is loaded

    state = getattr(request, "state", None)
    return UserAPIKeyAuth(
        api_key=LITELLM_PROXY_MASTER_KEY_ALIAS,  # token = the alias too: neither key nor hash spreads
        user_role=LitellmUserRoles.PROXY_ADMIN,
        user_id=proxy_server.litellm_proxy_admin_name,
        parent_otel_span=getattr(state, "parent_otel_span", None),
    )


def _refusal(message: str) -> ProxyException:
    # A ProxyException reaches the client as is (auth_exception_handler._as_proxy_exception), with
    # its code as HTTP status; enterprise_custom_auth re-raises it even in mode "auto". The message
    # must never contain a key.
    return ProxyException(message=message, type=ProxyErrorTypes.auth_error, param=None, code=401)


async def user_api_key_auth(request, api_key: str):
    # `api_key` is what LiteLLM compares with its master key: get_api_key has already removed the
    # "Bearer " prefix (or taken x-api-key etc.); None or "" when no key came.
    presented = api_key if isinstance(api_key, str) else ""

    if presented == PROBE_TOKEN:  # checked first: the probe never gets access, whatever the config
        state, digests, ignored = _ring.snapshot()
        if state == "unreadable":
            raise _refusal("lockstep-keyring: ring unreadable")
        extra = " (file missing)" if state == "missing" else ""
        extra += f"; ignored lines: {ignored}" if ignored else ""
        extra += "" if _wrapper_present() else "; no litellm_enterprise wrapper"
        raise _refusal(f"lockstep-keyring: active; ring keys: {len(digests)}{extra}")

    wrapper = _wrapper_present()
    try:
        from litellm.proxy import proxy_server

        master = proxy_server.master_key
        if presented and isinstance(master, str) and master:
            if hmac.compare_digest(_digest(_encode(presented)), _digest(_encode(master))):
                if wrapper:
                    return None  # LiteLLM's own master-key path handles it (and caches it)
                return _master_identity(request)  # no wrapper: declining is impossible, see below
            _, digests, _ = _ring.snapshot()
            if _in_ring(_encode(presented), digests):
                return _master_identity(request)
    except Exception as e:  # a bug here must not take the master key down with it
        log.error("key ring check failed (%s): declining", type(e).__name__)

    if wrapper:
        return None
    # Without litellm_enterprise the builder validates our return as a UserAPIKeyAuth, so None
    # would turn every request, the master key's too, into a 401; refuse explicitly instead.
    raise _refusal("Authentication Error: invalid or missing key")
