"""Opening users' images: every accepted format, every bad input the Classify page must refuse,
every odd but valid file."""

import io
import struct
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from clfcore.errors import UserInputError
from clfcore.i18n import translate
from clfcore.inference import imagefile


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + png_chunk(b"IEND", b"")
    )


def refusal(data: bytes, name: str = "upload.png", **options) -> UserInputError:
    with pytest.raises(UserInputError) as caught:
        imagefile.open_image(data, name=name, **options)
    error = caught.value
    assert name in str(error)
    assert error.message("es") != str(error)  # translated
    assert translate(error.template, "es", **error.params) == error.message("es")
    return error


# --- accepted formats -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("format_name", "shown", "options"),
    [
        ("PNG", "PNG", {}),
        ("JPEG", "JPEG", {"quality": 95}),
        ("BMP", "BMP", {}),
        ("GIF", "GIF", {}),
        ("WEBP", "WebP", {"lossless": True}),
        ("TIFF", "TIFF", {}),
    ],
)
def test_every_accepted_format_opens(format_name, shown, options, encode, gradient):
    opened = imagefile.open_image(
        encode(gradient(), format_name, **options), name=f"x.{format_name.lower()}"
    )
    assert opened.format == shown
    assert opened.image.mode in ("RGB", "L", "RGBA")
    assert opened.image.size == (40, 30) == opened.original_size
    assert opened.frames == 1 and opened.orientation == 1


def test_the_content_decides_not_the_extension(encode, gradient):
    opened = imagefile.open_image(encode(gradient(), "JPEG"), name="really_a_jpeg.png")
    assert opened.format == "JPEG"


# --- bad input ------------------------------------------------------------------------------------


def test_zero_byte_file():
    assert "is empty (0 bytes)" in str(refusal(b""))


def test_text_renamed_png():
    error = refusal(b"These are my notes, not a picture.\nSecond line.\n", name="notes.png")
    assert "contains text, not an image" in str(error)


def test_truncated_jpeg(encode):
    data = encode(Image.effect_noise((300, 200), 60).convert("RGB"), "JPEG")
    error = refusal(data[: len(data) // 3], name="photo.jpg")
    assert "is incomplete" in str(error) and "JPEG" in str(error)


def test_corrupt_png(encode):
    data = bytearray(encode(Image.effect_noise((80, 80), 60), "PNG"))
    data[70:120] = b"\x00" * 50  # inside the compressed image data
    error = refusal(bytes(data), name="broken.png")
    assert "is damaged" in str(error) or "is incomplete" in str(error)


def test_svg_is_refused_with_a_hint_to_export_png():
    svg = (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<rect width="10" height="10"/></svg>'
    )
    error = refusal(svg, name="drawing.svg")
    assert "SVG drawing" in str(error) and "Export it as a PNG" in str(error)


def test_random_bytes():
    data = np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes()
    error = refusal(data, name="noise.jpg")
    assert "not an image in a format this app reads" in str(error) and "PNG, JPEG" in str(error)


@pytest.mark.parametrize(
    ("make_data", "kind"),
    [
        (lambda encode, gradient: b"%PDF-1.7\n%binary", "PDF"),
        (lambda encode, gradient: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC"),
        (lambda encode, gradient: encode(gradient((16, 16)), "ICO"), "ICO"),
    ],
)
def test_other_formats_are_named_and_refused(make_data, kind, encode, gradient):
    data = make_data(encode, gradient)  # the fixtures exist only once the test runs
    error = refusal(data, name="file.png")
    assert f"is a {kind} file, which is not accepted" in str(error)


def test_file_over_the_size_limit(encode):
    data = encode(Image.effect_noise((200, 200), 80).convert("RGB"), "PNG")
    error = refusal(data, name="big.png", max_bytes=10_000)
    assert "big.png is 0.1 MB; image files up to 0.01 MB are accepted" in str(
        error
    ) and "Save it smaller" in str(error)


def test_pixel_bomb_is_refused_from_the_header_without_decoding(monkeypatch):
    def no_decoding(self):
        raise AssertionError("the bomb was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    error = refusal(png_claiming(30000, 30000), name="bomb.png")
    assert "30000x30000 pixels (900 megapixels)" in str(error) and "not decoded" in str(error)


@pytest.mark.parametrize(("width", "height"), [(10000, 10000), (8000, 8000)])
def test_bombs_below_pillows_hard_limit_are_refused_too(width, height):
    # 100 MP raises Pillow's DecompressionBombWarning (turned into the refusal); 64 MP passes Pillow
    # but not our limit
    error = refusal(png_claiming(width, height), name="bomb.png")
    assert f"{width}x{height} pixels" in str(error)


def test_refusals_leave_pillows_global_limit_alone():
    limit = Image.MAX_IMAGE_PIXELS
    refusal(png_claiming(30000, 30000), name="bomb.png")
    assert limit == Image.MAX_IMAGE_PIXELS


# --- unusual but valid images ---------------------------------------------------------------------


def test_16_bit_grayscale_png(encode):
    # 0 .. 65504
    deep = (np.arange(64 * 32, dtype=np.uint32).reshape(32, 64) * 32).astype(np.uint16)
    data = encode(Image.fromarray(deep), "PNG")
    opened = imagefile.open_image(data, name="deep.png")
    assert opened.original_mode.startswith("I")
    assert opened.image.mode == "L"
    values = np.asarray(opened.image)
    assert values[0, 0] == 0 and values[-1, -1] == round(65504 / 257)


def test_cmyk_jpeg_becomes_rgb(encode):
    # pure red in CMYK
    data = encode(Image.new("CMYK", (32, 24), (0, 255, 255, 0)), "JPEG", quality=95)
    opened = imagefile.open_image(data, name="print.jpg")
    assert opened.original_mode == "CMYK" and opened.image.mode == "RGB"
    red, green, blue = opened.image.getpixel((16, 12))
    assert red > 200 and green < 60 and blue < 60


def test_palette_png_with_transparency_keeps_it(encode):
    image = Image.new("P", (20, 20), 0)
    image.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    image.paste(1, (5, 5, 15, 15))
    opened = imagefile.open_image(encode(image, "PNG", transparency=0), name="icon.png")
    assert opened.original_mode == "P" and opened.image.mode == "RGBA"
    assert opened.image.getpixel((0, 0))[3] == 0 and opened.image.getpixel((10, 10)) == (
        200,
        0,
        0,
        255,
    )


def test_animated_gif_uses_the_first_frame(encode):
    frames = [Image.new("L", (24, 24), value) for value in (30, 140, 250)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    opened = imagefile.open_image(data, name="blink.gif")
    assert opened.frames == 3
    assert np.asarray(opened.image.convert("L")).mean() == pytest.approx(30, abs=2)


def test_rgba_png(gradient, encode):
    image = gradient(mode="RGBA")
    image.putalpha(128)
    opened = imagefile.open_image(encode(image, "PNG"), name="alpha.png")
    assert opened.image.mode == "RGBA" and opened.image.getpixel((0, 0))[3] == 128


def test_tiny_bmp(encode):
    opened = imagefile.open_image(
        encode(Image.new("RGB", (1, 2), (10, 20, 30)), "BMP"), name="tiny.bmp"
    )
    assert opened.image.size == (1, 2) and opened.image.getpixel((0, 1)) == (10, 20, 30)


def test_12_megapixel_photo_is_decoded_reduced(encode):
    photo = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    opened = imagefile.open_image(encode(photo, "JPEG", quality=80), name="phone.jpg")
    assert opened.original_size == (4000, 3000) and opened.megapixels == pytest.approx(12.0)
    assert max(opened.image.size) <= imagefile.WORK_SIDE
    assert opened.image.size[0] / opened.image.size[1] == pytest.approx(4 / 3, rel=0.01)


def test_large_png_is_reduced_too(encode):
    opened = imagefile.open_image(encode(Image.new("L", (3000, 1000), 200), "PNG"), name="wide.png")
    assert max(opened.image.size) <= imagefile.WORK_SIDE and opened.original_size == (3000, 1000)


def test_exif_orientation_is_read_not_yet_applied(encode, gradient):
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: rotate 90 degrees clockwise to view
    data = encode(gradient((60, 20)), "JPEG", exif=exif.tobytes())
    opened = imagefile.open_image(data, name="sideways.jpg")
    # preprocess turns it (a visible step)
    assert opened.orientation == 6 and opened.image.size == (
        60,
        20,
    )


# --- other sources --------------------------------------------------------------------------------


def test_open_path_reads_files_and_refuses_folders(tmp_path, encode, gradient):
    path = tmp_path / "digit.png"
    path.write_bytes(encode(gradient(), "PNG"))
    assert imagefile.open_path(path).format == "PNG"
    with pytest.raises(UserInputError, match="is a folder"):
        imagefile.open_path(tmp_path)
    with pytest.raises(UserInputError, match="cannot be read"):
        imagefile.open_path(tmp_path / "missing.png")


def test_from_array_and_from_drawing():
    gray = np.arange(64, dtype=np.uint8).reshape(8, 8, 1)
    assert np.array_equal(np.asarray(imagefile.from_array(gray).image), gray[..., 0])
    rgb = np.zeros((4, 5, 3), np.uint8)
    assert imagefile.from_array(rgb).image.mode == "RGB"
    drawing = np.zeros((10, 10, 4), np.uint8)  # a transparent canvas ...
    drawing[4:6, 2:8] = (255, 255, 255, 255)  # ... with one white stroke
    board = np.asarray(imagefile.from_drawing(drawing).image)
    assert board[0, 0] == 0 and board[5, 5] == 255  # white pen on black, not on white
    with pytest.raises(UserInputError):
        imagefile.from_drawing(np.zeros((10, 10)))


# --- ZIP archives ---------------------------------------------------------------------------------


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_reads_images_in_memory_and_skips_the_rest(encode, gradient):
    png = encode(gradient(), "PNG")
    data = make_zip(
        {
            "a/one.png": png,
            "a/two.JPG": encode(gradient(), "JPEG"),
            "README.txt": b"hi",
            "__MACOSX/a/._one.png": b"junk",
            ".hidden.png": png,
        }
    )
    assert imagefile.is_zip(data)
    contents = imagefile.read_zip(data, name="batch.zip")
    assert [entry.name for entry in contents.entries] == ["a/one.png", "a/two.JPG"]
    assert all(entry.data and entry.error is None for entry in contents.entries)
    assert contents.skipped == ("README.txt",) and contents.left_out == 0


def test_zip_caps_entries_and_sizes(encode, gradient):
    png = encode(gradient(), "PNG")
    data = make_zip({f"{i}.png": png for i in range(5)} | {"huge.png": b"\0" * 5000})
    contents = imagefile.read_zip(data, max_images=3, max_file_bytes=4000)
    assert len(contents.entries) == 3 and contents.left_out == 3
    contents = imagefile.read_zip(data, max_file_bytes=4000)
    huge = contents.entries[-1]
    assert huge.name == "huge.png" and huge.data is None and "MB" in str(huge.error)


def test_a_damaged_zip_is_refused(encode, gradient):
    data = make_zip({"one.png": encode(gradient(), "PNG")})
    with pytest.raises(UserInputError, match="not a readable ZIP archive"):
        imagefile.read_zip(data[: len(data) // 2], name="cut.zip")


def test_unpack_uploads_reads_zips_and_keeps_plain_files(encode, gradient):
    png = encode(gradient(), "PNG")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cats/1.png", png)
        archive.writestr("notes.txt", b"hello")
    files, skipped, left_out = imagefile.unpack_uploads(
        [("a.png", png), ("pets.zip", buffer.getvalue()), ("broken.zip", b"PK\x03\x04junk")]
    )
    assert [(name, data is not None, error is None) for name, data, error in files] == [
        ("a.png", True, True),
        ("pets.zip/cats/1.png", True, True),
        ("broken.zip", False, False),
    ]
    assert "broken.zip" in translate(files[2][2].template, **files[2][2].params)
    assert skipped == ["notes.txt"] and left_out == 0


def test_blank_drawing():
    canvas = np.zeros((8, 8, 4), dtype=np.uint8)
    assert imagefile.is_blank_drawing(None)
    assert imagefile.is_blank_drawing(canvas)
    canvas[3, 3, :3] = imagefile.DRAWING_INK
    assert not imagefile.is_blank_drawing(canvas)


def test_zip_uploads_drop_the_same_system_files_as_dataset_imports(encode, gradient):
    data = make_zip(
        {
            "a/one.png": encode(gradient(), "PNG"),
            "a/Thumbs.db": b"windows",
            "desktop.ini": b"windows",
            "__macosx/._one.png": b"mac",
            "notes.txt": b"hi",
        }
    )
    contents = imagefile.read_zip(data)
    assert [entry.name for entry in contents.entries] == ["a/one.png"]
    assert contents.skipped == ("notes.txt",)  # Thumbs.db is junk, not a skipped file
