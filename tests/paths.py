"""Where the tests find the project and the shared reference data.

The reference data (real NHS data, published SPC cases) is never copied into
the repository: it sits beside the checkout in ../shared/data, or wherever
CONCORD_SHARED_DATA points. A clone made elsewhere (CI's `git clone .` into a
temporary directory) finds it beside the repository it was cloned from."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _shared_data() -> Path:
    if os.environ.get("CONCORD_SHARED_DATA"):
        return Path(os.environ["CONCORD_SHARED_DATA"])
    beside = ROOT.parent / "shared" / "data"
    if beside.is_dir():
        return beside
    origin = subprocess.run(
        ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if origin and Path(origin).is_dir():
        return Path(origin).resolve().parent / "shared" / "data"
    return beside


SHARED_DATA = _shared_data()
