"""FC function ``thumbnailer``: thumbnails of every image uploaded under the trigger's prefix.

Sizes, format and quality come from s.yaml ``environmentVariables`` (APP_THUMBNAIL_*); a bad
value fails the initializer with a log line naming it.
"""

from __future__ import annotations

import os

from algorithms.thumbnailer import Thumbnailer, ThumbnailOptions
from runtime import constants
from runtime.objects import ObjectFunction


def build() -> Thumbnailer:
    env = os.environ
    return Thumbnailer(
        ThumbnailOptions.parse(
            sizes=env.get(constants.APP_THUMBNAIL_SIZES, "256x256"),
            format=env.get(constants.APP_THUMBNAIL_FORMAT, "JPEG"),
            quality=env.get(constants.APP_THUMBNAIL_QUALITY, "85"),
            max_bytes=env.get(constants.APP_THUMBNAIL_MAX_BYTES, ""),
        )
    )


app = ObjectFunction(build, name=Thumbnailer.name)
initialize = app.initialize
handler = app.handler
pre_stop = app.pre_stop
