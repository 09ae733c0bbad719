"""Photos from citizens: JPEG or PNG by content, at most 5 MB, re-encoded so that location
(EXIF GPS) and every other piece of metadata is dropped before anything is stored."""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from portal.validation import Message

MAX_PHOTOS = 3
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000        # refuse decompression bombs long before Pillow's own limit
MAX_SIDE = 2560                # stored photos are scaled down to this
JPEG_MAGIC, PNG_MAGIC = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"


class PhotoError(ValueError):
    pass


@dataclass(frozen=True)
class CleanPhoto:
    mime: str
    width: int
    height: int
    content: bytes


def clean_photo(data: bytes, filename: str = "") -> CleanPhoto:
    name = f"“{filename}”" if filename else ""
    if len(data) > MAX_BYTES:
        raise PhotoError(Message("照片{name}有 {mb:.1f} MB，超过 5 MB；请压缩或截图后再上传", name=name,
                                 mb=len(data) / 1024 / 1024))
    if data.startswith(JPEG_MAGIC):
        fmt, mime = "JPEG", "image/jpeg"
    elif data.startswith(PNG_MAGIC):
        fmt, mime = "PNG", "image/png"
    else:
        raise PhotoError(Message("照片{name}不是 JPEG 或 PNG 图片（按文件内容判断，与扩展名无关）；"
                                 "请上传手机拍摄的 JPG/PNG 照片", name=name))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != fmt:
                raise PhotoError(Message("照片{name}的内容与格式不符，无法读取", name=name))
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError(Message("照片{name}像素过多（{width}×{height}），请缩小后上传", name=name,
                                         width=probe.width, height=probe.height))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)   # keep the orientation the phone meant
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            if fmt == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
            else:
                if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    image = image.convert("RGBA")
                image.save(out, "PNG", optimize=True)
            return CleanPhoto(mime, image.width, image.height, out.getvalue())
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoError(Message("照片{name}已损坏或不完整，无法读取；请重新拍摄或选择另一张",
                                 name=name)) from None
