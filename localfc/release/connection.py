"""Where ``release`` sends its FC 3.0 API calls, and with which keys.

Endpoint, first match wins:
  1. ``--endpoint`` (``host:port`` or a URL);
  2. ``FC_ENDPOINT`` in the environment;
  3. with ``--fc``: ``<AccountID>.<region>.fc.aliyuncs.com`` (account from ``--account-id``,
     ``ALIBABA_CLOUD_ACCOUNT_ID``, ``AccountID`` or the ``s`` access config; region from
     ``--region`` or s.yaml);
  4. the local FC that ``serve`` announces in ``.localfc/serve.json``.
Without ``--fc`` or an explicit endpoint nothing ever goes to the cloud.

Keys: ``ALIBABA_CLOUD_ACCESS_KEY_ID`` / ``_SECRET`` (+ ``ALIBABA_CLOUD_SECURITY_TOKEN``), else
the ``s`` access config ``~/.s/access.yaml`` (alias from ``--access`` or s.yaml's ``access``),
else, for a loopback endpoint only, the emulator's fake keys. Keys are never printed.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from localfc.fc.context import FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET
from localfc.fc.state import StateDir

if TYPE_CHECKING:
    from collections.abc import Mapping

SERVE_FILE = "serve.json"
# Values that `s config add` stores encrypted look like CryptoJS output (UNCONFIRMED format).
_ENCRYPTED_PREFIX = "U2FsdGVkX1"


class ConnectionSetupError(RuntimeError):
    """No endpoint or no keys could be found; the message says what to set."""


@dataclass(frozen=True)
class Connection:
    endpoint: str  # host[:port], no scheme
    protocol: str  # "http" or "https"
    region: str
    access_key_id: str = field(repr=False)
    access_key_secret: str = field(repr=False)
    security_token: str = field(default="", repr=False)
    source: str = ""  # where the endpoint came from, for messages

    @property
    def is_local(self) -> bool:
        """True for a loopback endpoint: the local FC, whose logs we can read."""
        return is_loopback(self.endpoint)

    def describe(self) -> str:
        return f"{self.protocol}://{self.endpoint} ({self.source})"


def is_loopback(endpoint: str) -> bool:
    host = endpoint.rsplit("]", 1)[0].lstrip("[") if endpoint.startswith("[") else endpoint.rsplit(":", 1)[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_connection(
    *,
    endpoint: str | None,
    use_fc: bool,
    region: str,
    account_id: str | None,
    access: str,
    state_dir: Path,
    environ: Mapping[str, str] | None = None,
    access_file: Path | None = None,
) -> Connection:
    """Work out the endpoint and keys (see the module docstring for the order)."""
    env = os.environ if environ is None else environ
    access_file = access_file or Path.home() / ".s" / "access.yaml"
    profile = _access_profile(access_file, access)
    if endpoint:
        target, source = endpoint, "--endpoint"
    elif env.get("FC_ENDPOINT"):
        target, source = env["FC_ENDPOINT"], "FC_ENDPOINT"
    elif use_fc:
        account = account_id or env.get("ALIBABA_CLOUD_ACCOUNT_ID") or env.get("AccountID") or profile.get("AccountID")
        if not account:
            raise ConnectionSetupError(
                "--fc needs your account id: pass --account-id, set ALIBABA_CLOUD_ACCOUNT_ID,"
                f" or add AccountID to the '{access}' access of {access_file}"
            )
        target, source = f"{account}.{region}.fc.aliyuncs.com", f"--fc, region {region}"
    else:
        target, source = _serve_endpoint(state_dir), f"{state_dir / SERVE_FILE}"
    protocol, host = _split_scheme(target)
    key_id, key_secret, token = _keys(env, profile, access, access_file, local=is_loopback(host))
    return Connection(host, protocol, region, key_id, key_secret, token, source)


def _split_scheme(target: str) -> tuple[str, str]:
    target = target.strip().rstrip("/")
    for scheme in ("http", "https"):
        if target.startswith(f"{scheme}://"):
            return scheme, target[len(scheme) + 3 :]
    return ("http" if is_loopback(target) else "https"), target


def _serve_endpoint(state_dir: Path) -> str:
    path = StateDir(state_dir).announcement
    try:
        doc = StateDir(state_dir).announced()
    except FileNotFoundError:
        raise ConnectionSetupError(
            f"no endpoint: start the local FC (`python local_invoke.py serve`, which writes {path}),"
            " or pass --endpoint HOST:PORT, or --fc to talk to Function Compute"
        ) from None
    except (OSError, ValueError) as exc:
        raise ConnectionSetupError(f"cannot read {path}: {exc}") from None
    endpoint = _endpoint_in(doc)
    if not endpoint:
        raise ConnectionSetupError(f"{path} does not say where serve listens; pass --endpoint HOST:PORT")
    return endpoint


def _endpoint_in(doc: dict[str, Any]) -> str | None:
    for key in ("api_endpoint", "endpoint", "api", "url"):
        value = doc.get(key)
        if isinstance(value, str) and value:
            return value
    host, port = doc.get("host", "127.0.0.1"), doc.get("port")
    return f"{host}:{port}" if isinstance(port, int) else None


def _access_profile(access_file: Path, access: str) -> dict[str, str]:
    try:
        doc = yaml.safe_load(access_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConnectionSetupError(f"cannot read the s access config {access_file}: {exc}") from None
    profile = doc.get(access) if isinstance(doc, dict) else None
    return {str(k): str(v) for k, v in profile.items()} if isinstance(profile, dict) else {}


def _keys(
    env: Mapping[str, str], profile: dict[str, str], access: str, access_file: Path, local: bool
) -> tuple[str, str, str]:
    key_id, secret = env.get("ALIBABA_CLOUD_ACCESS_KEY_ID"), env.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    if key_id and secret:
        return key_id, secret, env.get("ALIBABA_CLOUD_SECURITY_TOKEN", "")
    key_id, secret = profile.get("AccessKeyID"), profile.get("AccessKeySecret")
    if key_id and secret:
        if secret.startswith(_ENCRYPTED_PREFIX) or key_id.startswith(_ENCRYPTED_PREFIX):
            raise ConnectionSetupError(
                f"the '{access}' access in {access_file} is encrypted by s; export ALIBABA_CLOUD_ACCESS_KEY_ID"
                " and ALIBABA_CLOUD_ACCESS_KEY_SECRET instead"
            )
        return key_id, secret, profile.get("SecurityToken", "")
    if local:
        return FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, ""
    raise ConnectionSetupError(
        "no keys for Function Compute: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET,"
        f" or run `s config add` to create the '{access}' access in {access_file}"
    )
