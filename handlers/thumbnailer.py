"""FC function ``thumbnailer``: thumbnails of every image uploaded under the trigger's prefix.

Sizes, format and quality come from s.yaml ``environmentVariables`` (the ``APP_THUMBNAIL_*``
names below); a bad value fails the initializer with a log line naming it.
"""

from __future__ import annotations

import os

from algorithms.thumbnailer import Thumbnailer, ThumbnailOptions
from runtime.objects import ObjectFunction

SIZES = "APP_THUMBNAIL_SIZES"  # e.g. 256x256,1024x1024
FORMAT = "APP_THUMBNAIL_FORMAT"  # JPEG | PNG | WEBP
QUALITY = "APP_THUMBNAIL_QUALITY"  # 1-95
MAX_BYTES = "APP_THUMBNAIL_MAX_BYTES"  # larger source images are rejected


def build() -> Thumbnailer:
    env = os.environ
    return Thumbnailer(
        ThumbnailOptions.parse(
            sizes=env.get(SIZES, "256x256"),
            format=env.get(FORMAT, "JPEG"),
            quality=env.get(QUALITY, "85"),
            max_bytes=env.get(MAX_BYTES, ""),
        )
    )


app = ObjectFunction(build, name=Thumbnailer.name)
initialize = app.initialize
handler = app.handler
pre_stop = app.pre_stop
