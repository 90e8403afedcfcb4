"""Pictures of the demo's library, drawn by code with Pillow: a number line, a triangle, a graph of
a straight line, a bar chart, and covers. Each is a PNG of a few kilobytes, the same for the same
random stream."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 800, 450
INK = (33, 37, 41)
ACCENT = (13, 110, 253)
PAPER = (255, 255, 255)
# Cover colours, one per subject code (others get the last).
COLOURS = {
    "math": (25, 135, 84),
    "algebra": (13, 110, 253),
    "geometry": (111, 66, 193),
    "physics": (214, 51, 132),
    "informatics": (32, 201, 151),
    "russian": (220, 53, 69),
    "reading": (253, 126, 20),
    "english": (13, 202, 240),
    "history": (160, 82, 45),
    "world": (102, 153, 0),
    "": (108, 117, 125),
}


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def number_line(rng: random.Random) -> bytes:
    start = rng.randint(-10, 5)
    step = rng.choice((1, 2, 5))
    marked = start + step * rng.randint(1, 9)
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    y = HEIGHT // 2
    draw.line((40, y, WIDTH - 40, y), fill=INK, width=3)
    draw.polygon(((WIDTH - 40, y - 10), (WIDTH - 20, y), (WIDTH - 40, y + 10)), fill=INK)
    font = _font(22)
    for i in range(11):
        x = 70 + i * 64
        value = start + i * step
        draw.line((x, y - 12, x, y + 12), fill=INK, width=2)
        draw.text((x, y + 30), str(value), fill=INK, font=font, anchor="mm")
        if value == marked:
            draw.ellipse((x - 9, y - 9, x + 9, y + 9), fill=ACCENT)
            draw.text((x, y - 40), "A", fill=ACCENT, font=_font(30), anchor="mm")
    return _png(image)


def triangle(rng: random.Random) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    a = (rng.randint(60, 200), rng.randint(330, 400))
    b = (rng.randint(560, 740), rng.randint(330, 400))
    c = (rng.randint(250, 550), rng.randint(50, 140))
    draw.polygon((a, b, c), outline=INK, width=4)
    font = _font(30)
    for point, name, dy in ((a, "A", 30), (b, "B", 30), (c, "C", -30)):
        draw.ellipse((point[0] - 6, point[1] - 6, point[0] + 6, point[1] + 6), fill=ACCENT)
        draw.text((point[0], point[1] + dy), name, fill=INK, font=font, anchor="mm")
    return _png(image)


def line_graph(rng: random.Random) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    cx, cy, unit = WIDTH // 2, HEIGHT // 2, 30
    for i in range(-12, 13):
        draw.line((cx + i * unit, 0, cx + i * unit, HEIGHT), fill=(222, 226, 230))
    for j in range(-7, 8):
        draw.line((0, cy + j * unit, WIDTH, cy + j * unit), fill=(222, 226, 230))
    draw.line((0, cy, WIDTH, cy), fill=INK, width=2)
    draw.line((cx, 0, cx, HEIGHT), fill=INK, width=2)
    k, b = rng.choice((-2, -1, 1, 2, 3)), rng.randint(-3, 3)
    x0, x1 = -12, 12
    draw.line(
        (cx + x0 * unit, cy - (k * x0 + b) * unit, cx + x1 * unit, cy - (k * x1 + b) * unit),
        fill=ACCENT,
        width=4,
    )
    font = _font(22)
    draw.text((cx + 8, cy + 8), "0", fill=INK, font=font)
    draw.text((WIDTH - 24, cy + 8), "x", fill=INK, font=font)
    draw.text((cx + 10, 6), "y", fill=INK, font=font)
    return _png(image)


def bar_chart(rng: random.Random) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    values = [rng.randint(2, 12) for _ in range(rng.randint(4, 7))]
    width = (WIDTH - 120) // len(values)
    font = _font(22)
    draw.line((60, HEIGHT - 50, WIDTH - 40, HEIGHT - 50), fill=INK, width=2)
    for i, value in enumerate(values):
        left = 80 + i * width
        top = HEIGHT - 50 - value * 28
        draw.rectangle((left, top, left + width - 24, HEIGHT - 50), fill=ACCENT)
        draw.text((left + (width - 24) // 2, top - 16), str(value), fill=INK, font=font, anchor="mm")
    return _png(image)


def cover(rng: random.Random, subject_code: str) -> bytes:
    """A cover: the subject's colour with a few light shapes, no words (the title is on the page)."""
    colour = COLOURS.get(subject_code, COLOURS[""])
    image = Image.new("RGB", (600, 800), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 60) for c in colour)
    for _ in range(rng.randint(5, 9)):
        x, y, r = rng.randint(0, 600), rng.randint(0, 800), rng.randint(30, 160)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=light, width=rng.randint(4, 12))
    draw.rectangle((40, 560, 560, 600), fill=PAPER)
    return _png(image)


# The drawings by the subjects they suit.
DRAWINGS: dict[str, tuple[Callable[[random.Random], bytes], ...]] = {
    "math": (number_line, bar_chart),
    "algebra": (line_graph, number_line),
    "geometry": (triangle,),
    "physics": (line_graph, bar_chart),
    "informatics": (bar_chart,),
    "world": (bar_chart,),
    "history": (number_line,),
}
