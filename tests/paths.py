"""Where the tests find the project and the shared reference data.

The reference data (real NHS data, published SPC cases) is never copied into
the repository: it sits beside the checkout in ../shared/data, or wherever
CONCORD_SHARED_DATA points (a checkout elsewhere, such as a clone under /tmp).
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("CONCORD_SHARED_DATA") or ROOT.parent / "shared" / "data")
