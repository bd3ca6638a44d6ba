"""Pictures for the demo publication, drawn with Pillow from a seed word: nothing is downloaded."""

import hashlib
import io
import random

from PIL import Image, ImageDraw, ImageFont

PALETTES = [
    ["#1f3b4d", "#3f7f93", "#e9d8a6", "#ee9b00", "#ca6702"],
    ["#283618", "#606c38", "#fefae0", "#dda15e", "#bc6c25"],
    ["#22223b", "#4a4e69", "#9a8c98", "#c9ada7", "#f2e9e4"],
    ["#03045e", "#0077b6", "#00b4d8", "#90e0ef", "#caf0f8"],
    ["#3d0c11", "#7a1c1c", "#d4a373", "#faedcd", "#e9edc9"],
]


def _rng(seed: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def illustration(seed: str, width: int = 1600, height: int = 900) -> bytes:
    """An abstract editorial illustration: a sky band, hills or blocks, and a sun, in one of five palettes."""
    rng = _rng(seed)
    palette = rng.choice(PALETTES)
    image = Image.new("RGB", (width, height), palette[4])
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.45, 0.65))
    for band in range(6):
        top = int(horizon * band / 6)
        draw.rectangle([0, top, width, horizon], fill=palette[(band + 2) % 5] if band % 2 else palette[4])
    sun_x, sun_r = rng.randint(width // 5, 4 * width // 5), rng.randint(height // 12, height // 6)
    draw.ellipse([sun_x - sun_r, horizon // 2 - sun_r, sun_x + sun_r, horizon // 2 + sun_r], fill=palette[3])
    for layer in range(3):
        colour = palette[layer]
        points = [(0, height)]
        x = 0
        while x <= width:
            points.append((x, horizon + layer * height // 10 - rng.randint(0, height // 5)))
            x += rng.randint(width // 12, width // 5)
        points += [(width, horizon), (width, height)]
        draw.polygon(points, fill=colour)
    for _ in range(rng.randint(4, 9)):
        x0 = rng.randint(0, width)
        w = rng.randint(width // 40, width // 15)
        h = rng.randint(height // 10, height // 3)
        draw.rectangle([x0, height - h, x0 + w, height], fill=palette[rng.randint(0, 1)])
    return _png(image)


def portrait(name: str, size: int = 400) -> bytes:
    """An initials avatar: the person's initials on a colour drawn from their name."""
    rng = _rng(name)
    palette = rng.choice(PALETTES)
    image = Image.new("RGB", (size, size), palette[0])
    draw = ImageDraw.Draw(image)
    draw.ellipse([size * 0.1, size * 0.55, size * 0.9, size * 1.4], fill=palette[1])
    initials = "".join(part[0] for part in name.replace("-", " ").split()[:2]).upper()
    draw.text((size / 2, size * 0.36), initials, fill=palette[4], font=_font(size // 3), anchor="mm")
    return _png(image)


def wordmark(name: str, colour: str, height: int = 120) -> bytes:
    """A plain logo: the outlet's name set on its colour."""
    font = _font(int(height * 0.45))
    width = int(font.getlength(name)) + height
    image = Image.new("RGB", (width, height), colour)
    ImageDraw.Draw(image).text((height / 2, height / 2), name, fill="#ffffff", font=font, anchor="lm")
    return _png(image)


def bar_chart(bars: list[tuple[str, float]], unit: str = "", width: int = 1200) -> bytes:
    """A horizontal bar chart of `bars` (label, value), each value written at the end of its bar: the picture
    shows exactly the figures its alt text reads out (masthead.demo.loader.chart_alt_text)."""
    row, top, label_width = 84, 40, int(width * 0.36)
    height = top * 2 + row * len(bars)
    image = Image.new("RGB", (width, height), "#fbfaf6")
    draw = ImageDraw.Draw(image)
    font = _font(26)
    largest = max(value for _, value in bars) or 1
    plot_width = width - label_width - 170
    for index, (label, value) in enumerate(bars):
        y = top + index * row
        draw.text((label_width - 16, y + row / 2 - 8), label, fill="#1d1d1b", font=font, anchor="rm")
        length = max(2, int(plot_width * value / largest))
        draw.rectangle([label_width, y + 14, label_width + length, y + row - 14], fill="#1f3b4d")
        draw.text((label_width + length + 12, y + row / 2 - 8), f"{value:g}{unit}", fill="#1d1d1b", font=font,
                  anchor="lm")
    draw.line([label_width, top - 6, label_width, height - top + 6], fill="#5c5a55", width=2)
    return _png(image)
