"""Thumbnails of an uploaded image, in the sizes and format the function is configured with.

The source image is read into memory (capped by ``max_bytes``: photos are megabytes, not
gigabytes) because decoders need to seek. JPEGs are decoded at reduced scale with
``Image.draft`` when only thumbnails are wanted, which is several times faster than a full
decode of a 12-megapixel photo. EXIF orientation is applied, so portrait photos stay upright.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

from PIL import Image, ImageOps, UnidentifiedImageError

from algorithms.errors import InputRejected
from algorithms.object_base import ObjectAlgorithm

if TYPE_CHECKING:
    from algorithms.object_base import ObjectInfo, OutputSink

# Decoders the thumbnailer lets Pillow use: common photo formats only (Pillow can also open
# EPS, which runs Ghostscript, and other formats nobody uploads as a photo).
INPUT_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
OUTPUT_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
DEFAULT_MAX_BYTES = 40 * 1024 * 1024
DEFAULT_MAX_PIXELS = 100_000_000  # 10000 x 10000
_MAX_EDGE = 10_000


@dataclass(frozen=True, slots=True)
class ThumbnailOptions:
    """Sizes are bounding boxes: a 4000x3000 photo in a 256x256 box becomes 256x192.

    >>> ThumbnailOptions.parse("256x256, 1024x768", "webp").sizes
    ((256, 256), (1024, 768))
    """

    sizes: tuple[tuple[int, int], ...] = ((256, 256),)
    format: str = "JPEG"
    quality: int = 85
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS

    def __post_init__(self) -> None:
        if not self.sizes:
            raise ValueError("at least one thumbnail size is needed")
        for width, height in self.sizes:
            if not (1 <= width <= _MAX_EDGE and 1 <= height <= _MAX_EDGE):
                raise ValueError(f"thumbnail size {width}x{height} is out of range 1..{_MAX_EDGE}")
        if self.format not in OUTPUT_FORMATS:
            raise ValueError(f"thumbnail format {self.format!r} is not one of {', '.join(OUTPUT_FORMATS)}")
        if not 1 <= self.quality <= 95:
            raise ValueError(f"thumbnail quality {self.quality} is out of range 1..95")
        if self.max_bytes <= 0 or self.max_pixels <= 0:
            raise ValueError("max_bytes and max_pixels must be positive")

    @classmethod
    def parse(
        cls, sizes: str = "256x256", format: str = "JPEG", quality: str = "85", max_bytes: str = ""
    ) -> ThumbnailOptions:
        """Build options from configuration text (environment variables); ValueError names the bad part."""
        parsed: list[tuple[int, int]] = []
        for item in sizes.split(","):
            text = item.strip().lower()
            if not text:
                continue
            width, sep, height = text.partition("x")
            if not sep or not width.isdigit() or not height.isdigit():
                raise ValueError(f"thumbnail size {item.strip()!r} is not WIDTHxHEIGHT, e.g. 256x256")
            parsed.append((int(width), int(height)))
        fmt = format.strip().upper() or "JPEG"
        fmt = "JPEG" if fmt == "JPG" else fmt
        try:
            q = int(quality.strip() or "85")
            limit = int(max_bytes.strip()) if max_bytes.strip() else DEFAULT_MAX_BYTES
        except ValueError:
            raise ValueError(
                f"thumbnail quality {quality!r} and max bytes {max_bytes!r} must be whole numbers"
            ) from None
        return cls(sizes=tuple(dict.fromkeys(parsed)), format=fmt, quality=q, max_bytes=limit)

    def name_of(self, size: tuple[int, int]) -> str:
        return f"{size[0]}x{size[1]}.{OUTPUT_FORMATS[self.format][0]}"


class Thumbnailer(ObjectAlgorithm):
    """One thumbnail per configured size, named ``<W>x<H>.<ext>``.

    >>> from algorithms.object_base import MemorySink, ObjectInfo
    >>> buf = io.BytesIO(); Image.new("RGB", (800, 600), "red").save(buf, "PNG")
    >>> sink = MemorySink()
    >>> Thumbnailer(ThumbnailOptions(sizes=((100, 100),))).process(
    ...     io.BytesIO(buf.getvalue()), ObjectInfo("b", "k.png", len(buf.getvalue()), "E"), sink)["thumbnails"]
    [{'name': '100x100.jpg', 'width': 100, 'height': 75}]
    """

    name: ClassVar[str] = "thumbnailer"
    content_types: ClassVar[tuple[str, ...]] = ("image/",)

    def __init__(self, options: ThumbnailOptions | None = None) -> None:
        self.options = options or ThumbnailOptions()

    def process(self, source: BinaryIO, info: ObjectInfo, outputs: OutputSink) -> dict[str, Any]:
        options = self.options
        data = source.read(options.max_bytes + 1)
        if len(data) > options.max_bytes:
            raise InputRejected(
                f"image is larger than {options.max_bytes} bytes; raise APP_THUMBNAIL_MAX_BYTES to accept it",
                {"limit_bytes": options.max_bytes},
            )
        if not data:
            raise InputRejected("image is empty (0 bytes)")
        image, source_format, (width, height) = self._decode(data)
        del data
        made: dict[tuple[int, int], dict[str, Any]] = {}
        content_type = OUTPUT_FORMATS[options.format][1]
        # Largest first, each made from the previous one: downscaling a downscaled image is
        # much cheaper than starting from the full photo every time, and looks the same.
        current = image
        for size in sorted(options.sizes, key=lambda s: s[0] * s[1], reverse=True):
            thumb = current.copy()
            thumb.thumbnail(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            name = options.name_of(size)
            with outputs.open(name, content_type) as out:
                self._save(thumb, out)
            made[size] = {"name": name, "width": thumb.width, "height": thumb.height}
            current = thumb
        thumbnails = [made[size] for size in options.sizes]
        return {"width": width, "height": height, "source_format": source_format, "thumbnails": thumbnails}

    def _decode(self, data: bytes) -> tuple[Image.Image, str, tuple[int, int]]:
        """Open, check and fully decode the image; anything wrong with the bytes is InputRejected."""
        options = self.options
        image: Image.Image
        try:
            with warnings.catch_warnings():
                # Over MAX_IMAGE_PIXELS Pillow only warns; our own limit below decides.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(data), formats=INPUT_FORMATS)
                source_format = image.format or "unknown"
                original_size = image.size  # before draft() scales the decode down
                pixels = image.width * image.height
                if pixels > options.max_pixels:
                    raise InputRejected(
                        f"image is {image.width}x{image.height} pixels; the limit is {options.max_pixels} pixels",
                        {"width": image.width, "height": image.height},
                    )
                if source_format == "JPEG":
                    largest = max(self.options.sizes, key=lambda s: s[0] * s[1])
                    # draft() decodes at the smallest DCT scale (1/2, 1/4, 1/8) that still
                    # covers the largest box, as Image.thumbnail does: a 12 MP photo for a
                    # 1024 box decodes at 2000x1500, four times fewer pixels, same result.
                    image.draft("RGB", largest)
                image.load()
                image = ImageOps.exif_transpose(image)
        except InputRejected:
            raise
        except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
            raise InputRejected(f"not a readable image ({_reason(exc)})") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            # Pillow reports truncated or corrupt data as OSError/SyntaxError/ValueError.
            raise InputRejected(f"image data is corrupt ({_reason(exc)})") from None
        if options.format == "JPEG" and image.mode not in ("RGB", "L"):
            image = _flatten(image)
        elif image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA" if "transparency" in image.info or image.mode == "P" else "RGB")
        return image, source_format, original_size

    def _save(self, image: Image.Image, out: BinaryIO) -> None:
        params: dict[str, Any] = {}
        if self.options.format in ("JPEG", "WEBP"):
            params["quality"] = self.options.quality
        if self.options.format == "JPEG":
            params["optimize"] = True
        image.save(out, self.options.format, **params)


def _flatten(image: Image.Image) -> Image.Image:
    """JPEG has no alpha: put transparent images on white instead of black."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 160 else text[:160] + "..."
