#!/usr/bin/python3
"""Generates the imaging test fixtures and their independently computed expected pixels.

Run with Debian's python (python3-pil, python3-numpy):  /usr/bin/python3 make_fixtures.py
Outputs land next to this script and are committed; rerunning reproduces them.

Expected pixels come from PIL's decoders (JPEG, TIFF) or straight from the numpy arrays the
files were written from (PNG), with the project's conventions applied in numpy:
  * 16-bit -> 8-bit:                round(v * 255 / 65535)
  * alpha composited over black:    round(c * a / max)
"""
import os
import struct
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(20240611)


def out(name):
    return os.path.join(HERE, name)


def smooth_rgb(w, h):
    """Gradients plus a disc plus mild noise: compresses like a photo, not like noise."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255 * x / max(w - 1, 1)
    g = 255 * y / max(h - 1, 1)
    b = 128 + 100 * np.sin(x / 5.0) * np.cos(y / 7.0)
    disc = ((x - w / 2) ** 2 + (y - h / 2) ** 2) < (min(w, h) / 3) ** 2
    b = np.where(disc, 255 - b, b)
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, 4, (h, w, 3))
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def save_expected(name, array):
    np.save(out(name), np.ascontiguousarray(array.astype(np.uint8)))


def gray_to_rgb(g):
    return np.repeat(g[..., None], 3, axis=-1)


def composite8(rgb, a):
    # exact integer rounding: c*a/255 is never a tie because 255 is odd
    return ((rgb.astype(np.int64) * a[..., None].astype(np.int64) + 127) // 255).astype(np.uint8)


def composite16(rgb16, a16):
    d = 65535 * 65535
    v = rgb16.astype(np.uint64) * a16[..., None].astype(np.uint64) * 255
    return ((v + (d - 1) // 2) // d).astype(np.uint8)


def write_png16(path, array16, color_type):
    """Minimal 16-bit PNG writer (PIL cannot write 16-bit RGB/RGBA)."""
    h, w = array16.shape[:2]
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    raw = array16.reshape(h, w * channels).astype('>u2').tobytes()
    stride = w * channels * 2
    rows = b''.join(b'\x00' + raw[y * stride:(y + 1) * stride] for y in range(h))

    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack('>IIBBBBB', w, h, 16, color_type, 0, 0, 0)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(rows, 9)) + chunk(b'IEND', b''))


def jpegs():
    rgb = smooth_rgb(64, 48)
    for name, kwargs in [('jpeg_baseline', {}), ('jpeg_progressive', {'progressive': True})]:
        Image.fromarray(rgb).save(out(name + '.jpg'), quality=90, **kwargs)
        save_expected(name + '.expected.npy', np.asarray(Image.open(out(name + '.jpg')).convert('RGB')))

    Image.fromarray(rgb[..., 1]).save(out('jpeg_gray.jpg'), quality=90)
    save_expected('jpeg_gray.expected.npy', gray_to_rgb(np.asarray(Image.open(out('jpeg_gray.jpg')))))

    # DCT-scaled decode: PIL's draft() asks libjpeg for the same 1/4 scale.
    large = smooth_rgb(320, 240)
    Image.fromarray(large).save(out('jpeg_large.jpg'), quality=75)
    im = Image.open(out('jpeg_large.jpg'))
    im.draft('RGB', (80, 60))
    assert im.size == (80, 60), im.size
    save_expected('jpeg_large.quarter.expected.npy', np.asarray(im.convert('RGB')))


def pngs():
    rgb = smooth_rgb(23, 17)
    Image.fromarray(rgb).save(out('png_rgb8.png'))
    save_expected('png_rgb8.expected.npy', rgb)

    alpha = rng.randint(0, 256, (17, 23)).astype(np.uint8)
    Image.fromarray(np.dstack([rgb, alpha]), 'RGBA').save(out('png_rgba8.png'))
    save_expected('png_rgba8.expected.npy', composite8(rgb, alpha))

    gray = rgb[..., 0].copy()
    Image.fromarray(gray, 'L').save(out('png_gray8.png'))
    save_expected('png_gray8.expected.npy', gray_to_rgb(gray))

    Image.fromarray(np.dstack([gray, alpha]), 'LA').save(out('png_gray_alpha8.png'))
    save_expected('png_gray_alpha8.expected.npy', composite8(gray_to_rgb(gray), alpha))

    bits = (rgb[..., 1] > 127)
    Image.fromarray(bits).convert('1').save(out('png_gray1.png'))
    save_expected('png_gray1.expected.npy', gray_to_rgb(bits.astype(np.uint8) * 255))

    # Palette of 16 colours, some partly transparent (tRNS).
    palette = rng.randint(0, 256, (16, 3)).astype(np.uint8)
    palette_alpha = np.array([255, 0, 128, 200] + [255] * 12, dtype=np.uint8)
    index = rng.randint(0, 16, (17, 23)).astype(np.uint8)
    p = Image.fromarray(index, 'P')
    p.putpalette(palette.flatten().tolist())
    p.info['transparency'] = bytes(palette_alpha[:4])
    p.save(out('png_palette_trns.png'), transparency=bytes(palette_alpha[:4]))
    assert Image.open(out('png_palette_trns.png')).mode == 'P'
    save_expected('png_palette_trns.expected.npy', composite8(palette[index], palette_alpha[index]))

    rgb16 = rng.randint(0, 65536, (11, 13, 3)).astype(np.uint16)
    rgb16[0, 0] = [0, 65535, 128]      # extremes and the first rounding boundary
    rgb16[0, 1] = [127, 129, 32767]
    write_png16(out('png_rgb16.png'), rgb16, 2)
    save_expected('png_rgb16.expected.npy', composite16(rgb16, np.full((11, 13), 65535, np.uint16)))

    rgba16 = rng.randint(0, 65536, (11, 13, 4)).astype(np.uint16)
    write_png16(out('png_rgba16.png'), rgba16, 6)
    save_expected('png_rgba16.expected.npy', composite16(rgba16[..., :3], rgba16[..., 3]))

    gray16 = rng.randint(0, 65536, (11, 13)).astype(np.uint16)
    write_png16(out('png_gray16.png'), gray16, 0)
    save_expected('png_gray16.expected.npy', gray_to_rgb(composite16(gray16[..., None], np.full((11, 13), 65535, np.uint16))[..., 0]))


def tiffs():
    rgb = smooth_rgb(29, 19)
    Image.fromarray(rgb).save(out('tiff_rgb.tif'), compression='tiff_lzw')
    save_expected('tiff_rgb.expected.npy', rgb)
    Image.fromarray(rgb[..., 2].copy(), 'L').save(out('tiff_gray.tif'))
    save_expected('tiff_gray.expected.npy', gray_to_rgb(rgb[..., 2]))


def resize_reference():
    """PIL bilinear upscaling (no support widening when enlarging) and a 1:1 copy."""
    src = rng.randint(0, 256, (5, 7, 3)).astype(np.uint8)
    Image.fromarray(src).save(out('resize_source.png'))
    up = Image.fromarray(src).resize((19, 13), Image.BILINEAR)
    save_expected('resize_source.bilinear_19x13.expected.npy', np.asarray(up))


def npys():
    data = (np.arange(24, dtype=np.float32) * 0.37 - 3.1).reshape(2, 3, 4)
    np.save(out('numpy_f4.npy'), data)
    np.save(out('numpy_f2.npy'), data.astype(np.float16))
    np.save(out('numpy_u1.npy'), (np.arange(35) * 7 % 256).astype(np.uint8).reshape(5, 7))
    np.save(out('numpy_i4.npy'), np.array([-2147483648, -1, 0, 7, 2147483647], dtype=np.int32))
    np.save(out('numpy_scalar_f4.npy'), np.float32(2.5))
    np.save(out('numpy_f4_1d.npy'), np.linspace(-1, 1, 10, dtype=np.float32))
    np.save(out('numpy_f4_empty.npy'), np.zeros((0, 5), np.float32))


if __name__ == '__main__':
    jpegs()
    pngs()
    tiffs()
    resize_reference()
    npys()
