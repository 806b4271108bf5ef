#!/usr/bin/env python3
"""Regenerate the illustrative demo images for the masthead demo newsroom.

All graphics are drawn from scratch with Pillow primitives (no text, no
external assets), so the output is deterministic and freely licensable.

    pip install Pillow
    python3 make_images.py            # writes into ./images next to this file

Scenes are drawn at 2x resolution and downsampled for smooth edges.
"""

import math
import os
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "images")

W, H = 800, 450          # lead images
AW = AH = 200            # author avatars
SCALE = 2                # supersampling factor
QUALITY = 70
MAX_BYTES = 40 * 1024


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def lerp(a, b, t):
    return tuple(int(round(a[i] + (b[i] - a[i]) * t)) for i in range(3))


def vgradient(img, top, bottom, y0=0, y1=None, stops=None):
    """Vertical gradient between y0 and y1 (image coordinates)."""
    d = ImageDraw.Draw(img)
    w, h = img.size
    if y1 is None:
        y1 = h
    colors = stops or [top, bottom]
    n = len(colors) - 1
    span = max(1, y1 - y0)
    for y in range(y0, y1):
        t = (y - y0) / span
        k = min(int(t * n), n - 1)
        lt = t * n - k
        d.line([(0, y), (w, y)], fill=lerp(colors[k], colors[k + 1], lt))


def canvas(w=W, h=H):
    return Image.new("RGB", (w * SCALE, h * SCALE), (0, 0, 0))


def S(*vals):
    """Scale logical coordinates to the supersampled canvas."""
    if len(vals) == 1:
        return vals[0] * SCALE
    return [v * SCALE for v in vals]


def pts(*xy):
    return [(x * SCALE, y * SCALE) for x, y in xy]


def rect(d, x0, y0, x1, y1, fill, radius=0):
    if radius:
        d.rounded_rectangle(S(x0, y0, x1, y1), radius=S(radius), fill=fill)
    else:
        d.rectangle(S(x0, y0, x1, y1), fill=fill)


def ellipse(d, x0, y0, x1, y1, fill):
    d.ellipse(S(x0, y0, x1, y1), fill=fill)


def circle(d, cx, cy, r, fill):
    ellipse(d, cx - r, cy - r, cx + r, cy + r, fill)


def line(d, x0, y0, x1, y1, fill, width=1):
    d.line(S(x0, y0, x1, y1), fill=fill, width=max(1, int(width * SCALE)))


def poly(d, fill, *xy):
    d.polygon(pts(*xy), fill=fill)


def hills(d, base_y, amp, color, seed, w=W, h=H, waves=3):
    rnd = random.Random(seed)
    phase = rnd.random() * math.tau
    coords = []
    for x in range(0, w + 10, 10):
        y = base_y - amp * (0.6 * math.sin(x / w * waves * math.pi + phase)
                            + 0.4 * math.sin(x / w * waves * 2.3 * math.pi + phase * 1.7))
        coords.append((x, y))
    coords += [(w, h), (0, h)]
    poly(d, color, *coords)


def tree(d, x, ground, size, leaf, trunk=(74, 52, 38)):
    rect(d, x - size * 0.08, ground - size * 0.55, x + size * 0.08, ground, trunk)
    circle(d, x, ground - size * 0.75, size * 0.38, leaf)
    circle(d, x - size * 0.22, ground - size * 0.6, size * 0.28, leaf)
    circle(d, x + size * 0.22, ground - size * 0.6, size * 0.28, leaf)


def pine(d, x, ground, size, color):
    for i in range(3):
        top = ground - size + i * size * 0.25
        half = size * (0.2 + i * 0.09)
        poly(d, color, (x, top), (x - half, top + size * 0.45), (x + half, top + size * 0.45))
    rect(d, x - size * 0.04, ground - size * 0.12, x + size * 0.04, ground, (70, 50, 40))


def finish(img, name, w=W, h=H, blur=0.0):
    small = img.resize((w, h), Image.LANCZOS)
    if blur:
        small = small.filter(ImageFilter.GaussianBlur(blur))
    path = os.path.join(OUT, name)
    q = QUALITY
    while True:
        small.save(path, "JPEG", quality=q, optimize=True, progressive=True)
        if os.path.getsize(path) <= MAX_BYTES or q <= 40:
            break
        q -= 5
    print(f"{name:24s} {os.path.getsize(path):6d} bytes  q={q}")


# --------------------------------------------------------------------------
# scenes
# --------------------------------------------------------------------------

def water_tower():
    img = canvas()
    vgradient(img, None, None, stops=[(38, 56, 110), (120, 110, 170), (246, 160, 110), (252, 214, 150)])
    d = ImageDraw.Draw(img)
    circle(d, 640, 330, 46, (255, 226, 170))
    hills(d, 370, 12, (56, 92, 70), seed=1)
    hills(d, 395, 8, (40, 72, 55), seed=2)
    # legs
    cx = 330
    for dx0, dx1 in [(-70, -42), (70, 42), (-24, -14), (24, 14)]:
        line(d, cx + dx0, 390, cx + dx1, 205, (225, 228, 236), 6)
    line(d, cx - 62, 300, cx + 62, 300, (210, 214, 224), 3)
    line(d, cx - 56, 255, cx + 56, 255, (210, 214, 224), 3)
    line(d, cx - 62, 300, cx + 50, 255, (200, 204, 216), 2)
    line(d, cx + 62, 300, cx - 50, 255, (200, 204, 216), 2)
    # tank
    ellipse(d, cx - 92, 120, cx + 92, 230, (240, 242, 246))
    rect(d, cx - 92, 150, cx + 92, 190, (240, 242, 246))
    ellipse(d, cx - 92, 170, cx + 92, 230, (222, 226, 234))
    rect(d, cx - 92, 160, cx + 92, 200, (240, 242, 246))
    line(d, cx - 92, 175, cx + 92, 175, (120, 150, 200), 5)
    # roof
    poly(d, (214, 218, 228), (cx - 96, 150), (cx, 78), (cx + 96, 150))
    circle(d, cx, 78, 6, (214, 218, 228))
    # trees in front
    for i, x in enumerate([60, 120, 190, 470, 540, 720, 770]):
        tree(d, x, 420 + (i % 2) * 6, 70 + (i * 13) % 30, (34 + i * 3, 70, 52))
    rect(d, 0, 425, W, H, (30, 58, 44))
    finish(img, "water-tower.jpg")


def village_hall():
    img = canvas()
    vgradient(img, (150, 196, 235), (226, 240, 250), 0, S(330))
    d = ImageDraw.Draw(img)
    rect(d, 0, 330, W, H, (120, 160, 96))
    rect(d, 0, 370, W, H, (196, 190, 176))
    for cx, cy, r in [(150, 80, 34), (190, 70, 40), (230, 84, 30), (600, 110, 28), (636, 98, 36)]:
        circle(d, cx, cy, r, (250, 252, 255))
    bx0, bx1 = 230, 570
    # cupola
    rect(d, 370, 60, 430, 120, (236, 232, 222))
    poly(d, (90, 110, 120), (362, 62), (400, 22), (438, 62))
    line(d, 400, 22, 400, 0, (80, 80, 80), 2)
    poly(d, (180, 48, 48), (400, 2), (428, 8), (400, 16))
    rect(d, 390, 78, 410, 110, (70, 86, 110), radius=8)
    # body
    rect(d, bx0, 170, bx1, 340, (232, 226, 212))
    poly(d, (244, 240, 230), (bx0 - 15, 172), (400, 110), (bx1 + 15, 172))
    poly(d, (214, 206, 190), (bx0 + 20, 165), (400, 126), (bx1 - 20, 165))
    rect(d, bx0 - 15, 168, bx1 + 15, 182, (220, 212, 196))
    for i in range(6):
        x = 262 + i * 55
        rect(d, x, 185, x + 18, 330, (250, 248, 242))
        rect(d, x - 4, 184, x + 22, 192, (226, 220, 206))
    rect(d, 378, 250, 422, 330, (92, 64, 48), radius=4)
    for i in range(4):
        rect(d, bx0 - 20 - i * 10, 332 + i * 9, bx1 + 20 + i * 10, 341 + i * 9, (206 - i * 6, 200 - i * 6, 188 - i * 6))
    for x in [120, 680]:
        tree(d, x, 360, 110, (64, 118, 70))
    finish(img, "village-hall.jpg")


def school():
    img = canvas()
    vgradient(img, (110, 170, 225), (210, 232, 246), 0, S(300))
    d = ImageDraw.Draw(img)
    rect(d, 0, 300, W, H, (112, 168, 88))
    rect(d, 0, 380, W, 410, (150, 150, 150))
    # building
    rect(d, 140, 150, 660, 320, (170, 76, 58))
    rect(d, 330, 110, 470, 320, (182, 84, 64))
    rect(d, 130, 140, 670, 154, (120, 58, 46))
    rect(d, 320, 100, 480, 114, (120, 58, 46))
    for row in range(2):
        for col in range(3):
            x = 160 + col * 55
            rect(d, x, 175 + row * 70, x + 36, 215 + row * 70, (206, 226, 240))
            rect(d, 500 + col * 55, 175 + row * 70, 536 + col * 55, 215 + row * 70, (206, 226, 240))
    for col in range(2):
        rect(d, 355 + col * 55, 130, 390 + col * 55, 170, (206, 226, 240))
    rect(d, 370, 250, 430, 320, (70, 90, 120))
    line(d, 400, 250, 400, 320, (40, 50, 70), 2)
    circle(d, 400, 200, 18, (240, 240, 232))
    line(d, 400, 200, 400, 188, (40, 40, 40), 2)
    line(d, 400, 200, 410, 204, (40, 40, 40), 2)
    # flagpole
    line(d, 720, 110, 720, 330, (200, 200, 205), 3)
    rect(d, 722, 112, 772, 142, (196, 52, 52))
    for i in range(3):
        rect(d, 722, 118 + i * 9, 772, 122 + i * 9, (245, 245, 245))
    rect(d, 722, 112, 744, 127, (40, 70, 140))
    # bus
    rect(d, 60, 340, 280, 395, (246, 190, 40), radius=8)
    rect(d, 250, 352, 290, 395, (246, 190, 40), radius=6)
    for i in range(5):
        rect(d, 72 + i * 36, 350, 100 + i * 36, 368, (200, 222, 236))
    line(d, 60, 378, 290, 378, (30, 30, 30), 3)
    for x in [100, 240]:
        circle(d, x, 398, 15, (40, 40, 40))
        circle(d, x, 398, 6, (160, 160, 160))
    finish(img, "school.jpg")


def cornfield():
    img = canvas()
    vgradient(img, None, None, 0, S(230), stops=[(120, 170, 220), (250, 214, 160), (252, 190, 120)])
    d = ImageDraw.Draw(img)
    circle(d, 560, 215, 60, (255, 232, 170))
    hills(d, 225, 6, (120, 140, 90), seed=7)
    rect(d, 0, 228, W, H, (172, 150, 72))
    vx, vy = 400, 222
    for i in range(-30, 31):
        x_end = 400 + i * 45
        col = (118, 150, 60) if i % 2 == 0 else (150, 160, 70)
        d.polygon(pts((vx, vy), (x_end - 14, H), (x_end + 14, H)), fill=col)
    # farm buildings on horizon
    rect(d, 120, 196, 160, 226, (160, 50, 44))
    poly(d, (120, 40, 36), (116, 198), (140, 180), (164, 198))
    rect(d, 172, 170, 188, 226, (200, 200, 200))
    ellipse(d, 172, 164, 188, 176, (200, 200, 200))
    for x in [220, 240, 700]:
        tree(d, x, 228, 34, (70, 100, 60))
    finish(img, "cornfield.jpg")


def main_street():
    img = canvas()
    vgradient(img, (255, 200, 150), (120, 160, 210), 0, S(320), stops=[(90, 130, 200), (190, 200, 225), (255, 210, 170)])
    d = ImageDraw.Draw(img)
    rnd = random.Random(11)
    palette = [(170, 86, 66), (196, 160, 110), (120, 90, 80), (150, 110, 70), (186, 110, 80), (104, 120, 130)]
    awnings = [(50, 120, 90), (190, 60, 60), (40, 90, 150), (210, 150, 50)]
    x = -10
    i = 0
    while x < W:
        bw = rnd.randint(90, 140)
        top = rnd.randint(140, 220)
        col = palette[i % len(palette)]
        rect(d, x, top, x + bw, 360, col)
        rect(d, x - 3, top - 8, x + bw + 3, top, tuple(max(0, c - 30) for c in col))
        for wy in range(top + 20, 270, 38):
            for wx in range(int(x + 14), int(x + bw - 20), 30):
                rect(d, wx, wy, wx + 16, wy + 24, (236, 222, 180))
        rect(d, x + 8, 285, x + bw - 8, 356, (70, 80, 90))
        rect(d, x + 14, 292, x + bw - 14, 350, (160, 190, 200))
        aw = awnings[i % len(awnings)]
        poly(d, aw, (x + 4, 272), (x + bw - 4, 272), (x + bw + 2, 292), (x - 2, 292))
        for sx in range(int(x + 4), int(x + bw - 4), 16):
            poly(d, (245, 240, 230), (sx, 272), (sx + 8, 272), (sx + 9, 292), (sx + 1, 292))
        x += bw
        i += 1
    rect(d, 0, 360, W, 380, (190, 186, 176))
    rect(d, 0, 380, W, H, (70, 72, 78))
    for sx in range(0, W, 80):
        rect(d, sx + 10, 412, sx + 50, 418, (230, 200, 90))
    for lx in [140, 420, 700]:
        line(d, lx, 378, lx, 250, (40, 44, 50), 4)
        circle(d, lx, 248, 10, (255, 240, 190))
    finish(img, "main-street.jpg")


def river_bridge():
    img = canvas()
    vgradient(img, (150, 200, 230), (230, 240, 235), 0, S(300))
    d = ImageDraw.Draw(img)
    hills(d, 250, 20, (90, 140, 100), seed=3)
    rect(d, 0, 270, W, H, (70, 120, 150))
    vgradient_img = Image.new("RGB", (S(W), S(180)))
    vgradient(vgradient_img, (90, 140, 170), (40, 80, 110))
    img.paste(vgradient_img, (0, S(270)))
    d = ImageDraw.Draw(img)
    rnd = random.Random(5)
    for _ in range(60):
        x = rnd.randint(0, W)
        y = rnd.randint(285, 440)
        ln = rnd.randint(20, 60)
        line(d, x, y, x + ln, y, (150, 190, 210), 2)
    # banks
    poly(d, (84, 120, 70), (0, 240), (150, 250), (230, 290), (0, 320))
    poly(d, (84, 120, 70), (W, 240), (650, 250), (570, 290), (W, 320))
    # bridge
    deck_y = 200
    rect(d, 0, deck_y, W, deck_y + 16, (96, 96, 104))
    for ax0, ax1 in [(150, 400), (400, 650)]:
        d.arc(S(ax0, deck_y - 70, ax1, deck_y + 150), 180, 360, fill=(60, 90, 130), width=S(8))
        for k in range(1, 8):
            xx = ax0 + (ax1 - ax0) * k / 8
            t = (xx - ax0) / (ax1 - ax0)
            yy = deck_y + 40 - 110 * math.sin(math.pi * t)
            if yy < deck_y:
                line(d, xx, yy, xx, deck_y, (60, 90, 130), 3)
    for px in [150, 400, 650]:
        rect(d, px - 12, deck_y + 16, px + 12, 290, (150, 146, 138))
    for x in [40, 90, 720, 770]:
        tree(d, x, 262, 80, (56, 104, 64))
    finish(img, "river-bridge.jpg")


def library():
    img = canvas()
    vgradient(img, (250, 226, 196), (212, 226, 240), 0, S(320), stops=[(196, 214, 238), (240, 230, 214)])
    d = ImageDraw.Draw(img)
    rect(d, 0, 320, W, H, (120, 150, 96))
    rect(d, 200, 140, 600, 330, (200, 170, 128))
    poly(d, (150, 96, 76), (180, 145), (400, 70), (620, 145))
    rect(d, 180, 140, 620, 152, (130, 84, 66))
    for x in [240, 330, 450, 540]:
        rect(d, x, 190, x + 40, 280, (60, 74, 96))
        ellipse(d, x, 170, x + 40, 210, (60, 74, 96))
        line(d, x + 20, 172, x + 20, 280, (200, 170, 128), 2)
        line(d, x, 235, x + 40, 235, (200, 170, 128), 2)
        for k in range(3):
            rect(d, x + 4 + k * 12, 255, x + 12 + k * 12, 278, [(200, 80, 60), (70, 130, 90), (230, 190, 80)][k])
    rect(d, 375, 230, 425, 330, (100, 62, 44), radius=20)
    circle(d, 400, 110, 16, (245, 236, 215))
    # path + books
    poly(d, (214, 200, 176), (380, 330), (420, 330), (480, H), (320, H))
    colors = [(190, 70, 60), (60, 110, 160), (230, 180, 70), (80, 140, 100), (130, 80, 140)]
    for i in range(5):
        rect(d, 640, 420 - i * 16, 760 - (i % 2) * 14, 434 - i * 16, colors[i], radius=3)
    tree(d, 110, 360, 150, (70, 124, 76))
    finish(img, "library.jpg")


def stadium():
    img = canvas()
    vgradient(img, None, None, 0, S(260), stops=[(12, 18, 48), (34, 44, 96), (70, 70, 120)])
    d = ImageDraw.Draw(img)
    rnd = random.Random(8)
    for _ in range(70):
        circle(d, rnd.randint(0, W), rnd.randint(0, 180), rnd.choice([1, 1, 1.5]), (230, 230, 255))
    # glow
    glow = Image.new("RGB", img.size, (0, 0, 0))
    gd = ImageDraw.Draw(glow)
    for lx in [110, 690]:
        circle(gd, lx, 70, 80, (120, 110, 70))
    glow = glow.filter(ImageFilter.GaussianBlur(S(30)))
    img = ImageChops.add(img, glow)
    d = ImageDraw.Draw(img)
    # bleachers
    rect(d, 0, 230, W, 270, (60, 60, 70))
    for k in range(5):
        line(d, 0, 236 + k * 7, W, 236 + k * 7, (90, 90, 100), 2)
    # field in perspective
    poly(d, (52, 130, 62), (0, 270), (W, 270), (W, H), (0, H))
    for k in range(11):
        x_top = 80 + k * 64
        x_bot = -200 + k * 120
        line(d, x_top, 270, x_bot, H, (230, 240, 230), 2)
    poly(d, (160, 40, 40), (0, 270), (60, 270), (-120, H), (0, H))
    poly(d, (160, 40, 40), (W, 270), (W - 60, 270), (W + 120, H), (W, H))
    # light towers
    for lx in [110, 690]:
        line(d, lx, 240, lx, 80, (50, 50, 60), 6)
        rect(d, lx - 36, 50, lx + 36, 82, (40, 40, 50))
        for r in range(2):
            for c in range(4):
                circle(d, lx - 26 + c * 17, 60 + r * 14, 5, (255, 250, 220))
    # goalpost
    line(d, 400, 300, 400, 268, (240, 210, 60), 4)
    line(d, 370, 268, 430, 268, (240, 210, 60), 4)
    line(d, 370, 268, 370, 220, (240, 210, 60), 3)
    line(d, 430, 268, 430, 220, (240, 210, 60), 3)
    finish(img, "stadium.jpg")


def farmers_market():
    img = canvas()
    vgradient(img, (130, 190, 235), (220, 238, 248), 0, S(260))
    d = ImageDraw.Draw(img)
    rect(d, 0, 260, W, H, (188, 178, 160))
    tree(d, 60, 270, 140, (70, 130, 80))
    tree(d, 760, 270, 150, (64, 120, 74))
    tents = [(70, (200, 60, 60)), (290, (40, 110, 170)), (510, (230, 170, 40))]
    for x, col in tents:
        poly(d, col, (x, 170), (x + 110, 120), (x + 220, 170))
        for s in range(5):
            sx = x + 22 + s * 44
            poly(d, (248, 246, 240), (x + 110, 120), (sx - 8, 170), (sx + 8, 170))
        rect(d, x, 168, x + 220, 182, col)
        line(d, x + 6, 182, x + 6, 330, (90, 90, 90), 4)
        line(d, x + 214, 182, x + 214, 330, (90, 90, 90), 4)
        rect(d, x - 6, 270, x + 226, 290, (150, 110, 70))
        rect(d, x, 290, x + 220, 336, (130, 94, 60))
        rnd = random.Random(x)
        for c in range(5):
            cx = x + 24 + c * 43
            crate = (176, 130, 80)
            rect(d, cx - 18, 248, cx + 18, 272, crate)
            produce = rnd.choice([(220, 60, 50), (250, 160, 40), (110, 170, 60), (120, 60, 130), (240, 210, 70)])
            for k in range(4):
                circle(d, cx - 12 + k * 8, 246 - (k % 2) * 4, 7, produce)
    finish(img, "farmers-market.jpg")


def winter_storm():
    img = canvas()
    vgradient(img, None, None, 0, S(300), stops=[(96, 106, 124), (150, 160, 176), (200, 206, 214)])
    d = ImageDraw.Draw(img)
    hills(d, 290, 18, (226, 232, 240), seed=21)
    hills(d, 340, 14, (240, 244, 250), seed=22)
    hills(d, 390, 10, (250, 252, 255), seed=23)
    for x, gy, s in [(80, 320, 110), (140, 330, 80), (620, 350, 120), (700, 340, 90), (760, 355, 70), (330, 300, 60)]:
        pine(d, x, gy, s, (44, 76, 66))
        poly(d, (245, 248, 252), (x, gy - s), (x - s * 0.12, gy - s * 0.82), (x + s * 0.12, gy - s * 0.82))
    # fence
    for fx in range(200, 560, 40):
        line(d, fx, 380, fx, 350, (110, 90, 76), 4)
    line(d, 200, 358, 560, 358, (110, 90, 76), 3)
    line(d, 200, 370, 560, 370, (110, 90, 76), 3)
    rnd = random.Random(9)
    for _ in range(260):
        circle(d, rnd.randint(0, W), rnd.randint(0, H), rnd.choice([1.2, 1.6, 2.2, 3]), (255, 255, 255))
    finish(img, "winter-storm.jpg")


def gavel():
    img = canvas()
    vgradient(img, (120, 72, 44), (60, 34, 22))
    d = ImageDraw.Draw(img)
    # desk
    rect(d, 0, 300, W, H, (92, 54, 32))
    for k in range(6):
        line(d, 0, 312 + k * 22, W, 318 + k * 22, (104, 62, 38), 2)
    # sound block
    ellipse(d, 300, 300, 520, 340, (50, 28, 16))
    rect(d, 300, 280, 520, 320, (118, 70, 40))
    ellipse(d, 300, 262, 520, 298, (150, 94, 56))
    # gavel (rotated group)
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    ld = ImageDraw.Draw(layer)
    cx, cy = 420, 200
    rect(ld, cx - 10, cy - 10, cx + 250, cy + 10, (170, 110, 64, 255), radius=8)
    rect(ld, cx - 60, cy - 48, cx + 60, cy + 48, (160, 100, 58, 255), radius=14)
    rect(ld, cx - 70, cy - 52, cx - 56, cy + 52, (212, 176, 96, 255), radius=5)
    rect(ld, cx + 56, cy - 52, cx + 70, cy + 52, (212, 176, 96, 255), radius=5)
    rect(ld, cx - 50, cy - 40, cx + 50, cy - 28, (190, 130, 80, 255), radius=6)
    layer = layer.rotate(-24, center=(S(cx), S(cy)), resample=Image.BICUBIC)
    shadow = layer.split()[3].point(lambda a: min(a, 90)).filter(ImageFilter.GaussianBlur(S(8)))
    img.paste((20, 10, 6), (S(10), S(20)), shadow)
    img.paste(layer, (0, 0), layer)
    finish(img, "gavel.jpg")


def grain_elevator():
    img = canvas()
    vgradient(img, None, None, 0, S(340), stops=[(90, 150, 210), (250, 220, 160), (250, 180, 110)])
    d = ImageDraw.Draw(img)
    rect(d, 0, 340, W, H, (176, 150, 90))
    # silos
    for i in range(5):
        x = 300 + i * 56
        rect(d, x, 140, x + 52, 350, (218, 214, 204))
        line(d, x + 52, 140, x + 52, 350, (190, 186, 176), 2)
        ellipse(d, x, 130, x + 52, 150, (232, 228, 220))
    rect(d, 350, 60, 450, 140, (206, 200, 188))
    poly(d, (170, 160, 150), (344, 62), (400, 40), (456, 62))
    for k in range(3):
        rect(d, 368 + k * 28, 80, 384 + k * 28, 100, (90, 100, 120))
    # annex bin
    rect(d, 140, 240, 270, 350, (170, 170, 176))
    poly(d, (150, 150, 156), (134, 242), (205, 200), (276, 242))
    for k in range(6):
        line(d, 140, 256 + k * 16, 270, 256 + k * 16, (150, 150, 156), 2)
    # conveyor
    line(d, 270, 290, 360, 140, (90, 90, 96), 6)
    # rails
    rect(d, 0, 378, W, 384, (110, 100, 90))
    rect(d, 0, 398, W, 404, (110, 100, 90))
    for rx in range(0, W, 26):
        rect(d, rx, 374, rx + 10, 410, (96, 76, 60))
    # hopper cars
    for k, x in enumerate([560, 690]):
        poly(d, (70, 110, 150), (x, 330), (x + 120, 330), (x + 110, 370), (x + 10, 370))
        rect(d, x, 320, x + 120, 334, (60, 96, 136))
        circle(d, x + 24, 374, 8, (40, 40, 40))
        circle(d, x + 96, 374, 8, (40, 40, 40))
    finish(img, "grain-elevator.jpg")


# --------------------------------------------------------------------------
# author avatars (simple silhouettes, not real people)
# --------------------------------------------------------------------------

def avatar(name, bg_top, bg_bottom, shirt, skin, hair, style):
    img = canvas(AW, AH)
    vgradient(img, bg_top, bg_bottom)
    d = ImageDraw.Draw(img)
    if style == "long":
        rect(d, 54, 46, 146, 176, hair, radius=44)
    # shoulders
    ellipse(d, 30, 140, 170, 250, shirt)
    poly(d, tuple(max(0, c - 25) for c in shirt), (88, 140), (100, 172), (112, 140))
    rect(d, 88, 112, 112, 146, skin)
    circle(d, 100, 88, 40, skin)
    if style == "short":
        d.chord(S(58, 44, 142, 120), 180, 360, fill=hair)
        rect(d, 58, 76, 66, 92, hair)
        rect(d, 134, 76, 142, 92, hair)
    elif style == "long":
        d.chord(S(58, 44, 142, 104), 180, 360, fill=hair)
    elif style == "curly":
        for a in range(0, 360, 30):
            if 20 < a < 160:
                continue
            circle(d, 100 + 38 * math.cos(math.radians(a)), 84 + 36 * math.sin(math.radians(a)), 16, hair)
        circle(d, 100, 54, 24, hair)
    finish(img, name, AW, AH)


def main():
    os.makedirs(OUT, exist_ok=True)
    for fn in [water_tower, village_hall, school, cornfield, main_street, river_bridge,
               library, stadium, farmers_market, winter_storm, gavel, grain_elevator]:
        fn()
    avatar("maria-okafor.jpg", (244, 196, 140), (226, 150, 110), (40, 90, 120), (120, 80, 56), (30, 24, 22), "curly")
    avatar("dale-lindqvist.jpg", (160, 200, 220), (110, 160, 196), (150, 60, 50), (236, 200, 170), (170, 130, 80), "short")
    avatar("zoe-hartmann.jpg", (190, 220, 170), (130, 180, 130), (90, 60, 120), (226, 184, 150), (90, 50, 30), "long")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT) if f.endswith(".jpg"))
    print(f"total {total} bytes")


if __name__ == "__main__":
    main()
