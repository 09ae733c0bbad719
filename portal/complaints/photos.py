"""Photos from citizens: JPEG or PNG by content, at most 5 MB, re-encoded so that location
(EXIF GPS) and every other piece of metadata is dropped before anything is stored.

Two steps, because decoding is what costs: a 170 KB PNG can hold 6320×6320 pixels, which
take seconds and hundreds of MB to decode. `check_photo` reads only the file's header (size,
kind, dimensions: Pillow's Image.open does not decode) and refuses what is too big; the
caller checks the form's fields and takes its submission limits before `clean_photo` decodes.
Decoding is bounded per process (DECODES_AT_ONCE), and a JPEG is decoded at the reduced size
it will be stored at (`draft`: the decoder skips detail instead of making it and throwing it
away).
"""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from portal.validation import Message

MAX_PHOTOS = 3
MAX_BYTES = 5 * 1024 * 1024
# Pixels a photo may have, by what citizens send. JPEG: phone cameras; the largest everyday
# full-resolution mode is 50 MP (8192×6144 = 50.3 MP); 108 and 200 MP modes make files far
# above 5 MB anyway. PNG: screenshots; a phone's is under 5 MP, a 5K monitor's 14.7 MP. A PNG
# cannot be decoded at a reduced size, so its limit is what one decode may cost (16 MP RGBA:
# 64 MB); a JPEG is decoded with draft() at a quarter of its pixels or less.
MAX_PIXELS = {"JPEG": 52_000_000, "PNG": 16_000_000}
MAX_SIDE = 2560                # stored photos are scaled down to this
JPEG_MAGIC, PNG_MAGIC = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
KINDS = {JPEG_MAGIC: ("JPEG", "image/jpeg"), PNG_MAGIC: ("PNG", "image/png")}
# Photos decoded at once in this process (two cores; the pages need them too), and how long a
# submission waits for its turn before it is asked to try again.
DECODES_AT_ONCE = 2
DECODE_WAIT_SECONDS = 30
_decoding = threading.BoundedSemaphore(DECODES_AT_ONCE)


class PhotoError(ValueError):
    pass


@dataclass(frozen=True)
class CheckedPhoto:
    """An upload whose header passed: its kind and dimensions, nothing decoded yet."""
    data: bytes
    name: str
    format: str
    mime: str
    width: int
    height: int


@dataclass(frozen=True)
class CleanPhoto:
    mime: str
    width: int
    height: int
    content: bytes


def _label(filename: str) -> str:
    return f"“{filename}”" if filename else ""


def _unreadable(name: str) -> PhotoError:
    return PhotoError(Message("照片{name}已损坏或不完整，无法读取；请重新拍摄或选择另一张", name=name))


def check_photo(data: bytes, filename: str = "") -> CheckedPhoto:
    """Size, kind by content and dimensions from the header: cheap, never decodes."""
    name = _label(filename)
    if len(data) > MAX_BYTES:
        raise PhotoError(Message("照片{name}有 {mb:.1f} MB，超过 5 MB；请压缩或截图后再上传", name=name,
                                 mb=len(data) / 1024 / 1024))
    kind = next((kind for magic, kind in KINDS.items() if data.startswith(magic)), None)
    if kind is None:
        raise PhotoError(Message("照片{name}不是 JPEG 或 PNG 图片（按文件内容判断，与扩展名无关）；"
                                 "请上传手机拍摄的 JPG/PNG 照片", name=name))
    fmt, mime = kind
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS[fmt]:
                raise PhotoError(Message("照片{name}像素过多（{width}×{height}，超过 {mp} 百万像素），"
                                         "请缩小后上传", name=name, width=width, height=height,
                                         mp=MAX_PIXELS[fmt] // 1_000_000))
            probe.verify()           # chunk checksums (PNG): reads the file, decodes nothing
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _unreadable(name) from None
    return CheckedPhoto(data, filename, fmt, mime, width, height)


def clean_photo(photo: CheckedPhoto) -> CleanPhoto:
    """Decode (waiting for a turn), turn upright, scale down and re-encode without metadata."""
    if not _decoding.acquire(timeout=DECODE_WAIT_SECONDS):
        raise PhotoError(Message("服务器正忙，照片暂时无法处理；您填写的内容都还在，请稍后再点“提交”"))
    try:
        return _reencode(photo)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _unreadable(_label(photo.name)) from None
    finally:
        _decoding.release()


def _reencode(photo: CheckedPhoto) -> CleanPhoto:
    with Image.open(io.BytesIO(photo.data), formats=[photo.format]) as image:
        scale = MAX_SIDE / max(photo.width, photo.height)
        if photo.format == "JPEG" and scale < 1:
            # The size it will be stored at: the decoder then scales its DCT by 1/2, 1/4 or
            # 1/8 while staying at least that big.
            image.draft("RGB", (max(1, int(photo.width * scale)), max(1, int(photo.height * scale))))
        image.load()
        image = ImageOps.exif_transpose(image)   # keep the orientation the phone meant
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        out = io.BytesIO()
        if photo.format == "JPEG":
            image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
        else:
            if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                image = image.convert("RGBA")
            image.save(out, "PNG", optimize=True)
        return CleanPhoto(photo.mime, image.width, image.height, out.getvalue())
