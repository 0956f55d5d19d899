"""Service settings (pydantic-settings): command-line options, then ``SMARTWMS_*`` variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ServiceSettings"]


class ServiceSettings(BaseSettings):
    """Everything the API server can be configured with.

    Every field reads the environment variable ``SMARTWMS_<FIELD>`` (e.g. ``SMARTWMS_DATA_DIR``).
    """

    model_config = SettingsConfigDict(env_prefix="SMARTWMS_", extra="ignore")

    data_dir: Path = Field(default=Path("smartwms-data"), description="job store and key file")
    auth: bool = Field(default=True, description="require API keys (off: local use only)")
    api_keys: SecretStr | None = Field(
        default=None,
        description="comma-separated NAME=KEY pairs; hashed on load, never stored",
    )
    api_keys_file: Path | None = Field(
        default=None,
        description="file of 'NAME sha256:HEX' lines (default: DATA_DIR/api-keys)",
    )
    workers: int = Field(default=2, ge=1, le=64, description="jobs solved at the same time")
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    default_time_limit: float = Field(default=60.0, gt=0)
    max_time_limit: float = Field(default=3600.0, gt=0)
    grace_seconds: float = Field(default=10.0, ge=0, description="past a time limit, then kill")
    max_attempts: int = Field(default=2, ge=1, description="runs of a job across server crashes")
    sync_time_limit: float = Field(default=10.0, gt=0, description="cap of /v1/solve")
    webhook_secret: SecretStr | None = Field(
        default=None, description="HMAC key of webhooks (default: DATA_DIR/webhook-secret)"
    )
    webhook_schemes: str = Field(
        default="https,http", description="comma-separated URL schemes webhooks may use"
    )
    webhook_allowed_hosts: str = Field(
        default="",
        description="comma-separated host patterns webhooks may go to (fnmatch, e.g. "
        "'*.example.com,hooks.acme.io'); empty: any public host",
    )
    webhook_allow_private: bool = Field(
        default=False,
        description="allow webhooks to loopback, private and link-local addresses (receivers on "
        "this machine or network); off by default against server-side request forgery",
    )
    webhook_attempts: int = Field(default=4, ge=1, le=20)
    webhook_backoff: float = Field(default=0.5, ge=0)
    session_secret: SecretStr | None = Field(
        default=None,
        description="key signing the web console's session cookies (default: "
        "DATA_DIR/session-secret, created on first start)",
    )
    session_hours: float = Field(default=8.0, gt=0, description="console sign-in lifetime")
    sse_max_seconds: float = Field(default=3600.0, gt=0, description="longest event stream")
    log_level: str = "INFO"

    @property
    def db_path(self) -> Path:
        """The SQLite job store."""
        return self.data_dir / "jobs.sqlite3"

    @property
    def keys_path(self) -> Path:
        """The API key file (hashes only)."""
        return self.api_keys_file or self.data_dir / "api-keys"
