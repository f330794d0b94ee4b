"""Commands about what a training starts from: datasets, backbone weights, architectures, and the
Convolution lab's convolution."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import cast

from clfcore.data import archive, datasets
from clfcore.data.folders import COLOR_MODES, FolderSettings
from clfcore.errors import UserInputError
from clfcore.models import architectures, backbones
from clfcore.teaching import convolution


def _list_datasets(_args: argparse.Namespace) -> dict:
    rows = []
    for info in datasets.list_datasets():
        state = datasets.availability(info.id)
        rows.append(
            {
                "id": info.id,
                "name": info.name,
                "image_shape": list(info.image_shape),
                "num_classes": info.num_classes,
                "task": info.task,
                "available": state.available,
                "location": state.location,
                "how_to_fix": None if state.available else str(state.error()),
            }
        )
        shape = "x".join(map(str, info.image_shape))
        where = "available" if state.available else "not downloaded"
        print(f"{info.id:<16} {info.name:<20} {shape:<8} {info.num_classes:>4} classes  {where}")
    return {"datasets": rows, "default": datasets.default_dataset_id()}


def _download(args: argparse.Namespace) -> dict:
    state = datasets.download(args.dataset)
    print(f"{args.dataset}: available at {state.location}")
    return {"id": args.dataset, "available": state.available, "location": state.location}


def _image_size(text: str) -> tuple[int, int]:
    try:
        height, width = (int(part) for part in text.replace("x", ",").split(","))
    except ValueError:
        raise UserInputError(
            "The image size must be H,W such as 64,64, got {value!r}.", value=text
        ) from None
    return height, width


def _import_dataset(args: argparse.Namespace) -> dict:
    settings = FolderSettings(
        image_size=_image_size(args.image_size) if args.image_size else None,
        color_mode=args.color_mode,
        validation_split=args.validation_split,
        seed=args.seed,
    )
    name = args.name or archive.suggest_name(Path(args.source).name)
    result = archive.import_dataset(
        args.source, name, test_source=args.test, settings=settings, replace=args.replace
    )
    # import_dataset stores resolved settings: nothing is left automatic (None)
    size = "x".join(map(str, cast(tuple[int, int], result.settings.image_size)))
    print(
        f"{result.name}: {len(result.class_names)} classes ({', '.join(result.class_names)}), "
        f"{result.images} images, {size} {result.settings.color_mode}"
    )
    print(
        f"training {result.train_images}, test {result.test_images or 'held out 20 %'}; "
        f"stored in {result.path}"
    )
    for skipped in result.skipped:
        print(f"left out {skipped.name}: {skipped.reason}")
    if result.non_images:
        count = len(result.non_images)
        print(
            f"{count} file{'s' if count > 1 else ''} skipped: not image{'s' if count > 1 else ''}"
        )
    return result.to_json()


def _download_weights(args: argparse.Namespace) -> dict:
    path = backbones.download_weights(args.backbone, args.image_size)
    print(f"{args.backbone}: ImageNet weights at {path}")
    return {"backbone": args.backbone, "path": str(path)}


def _list_archs(_args: argparse.Namespace) -> dict:
    rows = []
    for arch in architectures.list_architectures():
        print(f"{arch.id:<18} {arch.name:<34} {arch.cited_source()}")
        rows.append(
            {
                "id": arch.id,
                "name": arch.name,
                "source": arch.cited_source(),
                "preset": arch.preset,
                "convolutional": arch.convolutional,
            }
        )
    return {"architectures": rows}


def _shape(text: str) -> tuple[int, int, int]:
    try:
        h, w, c = (int(part) for part in text.split(","))
    except ValueError:
        raise UserInputError(
            "The input shape must be H,W,C such as 28,28,1, got {value!r}.", value=text
        ) from None
    if min(h, w, c) < 1 or c not in (1, 3):
        raise UserInputError(
            "The input shape must be positive with 1 or 3 channels, got {value!r}.", value=text
        )
    return h, w, c


def _describe(args: argparse.Namespace) -> dict:
    if args.classes < 2:
        raise UserInputError(
            "A classifier needs at least 2 classes, got {value}.", value=args.classes
        )
    info = architectures.describe(args.arch, _shape(args.input_shape), args.classes)
    for layer in info["layers"]:
        print(f"{layer['name']:<28} {layer['output_shape']!s:<22} {layer['params']:>10,}")
    print(
        f"total {info['total_params']:,}  trainable {info['trainable_params']:,}  non-trainable "
        f"{info['non_trainable_params']:,}"
    )
    return {k: info[k] for k in ("total_params", "trainable_params", "non_trainable_params")}


def _convolve(args: argparse.Namespace) -> dict:
    kernel = convolution.parse_kernel(args.kernel)
    padding = convolution.parse_padding(args.padding)
    image = convolution.image_from_path(args.image)
    result = convolution.convolve2d(image, kernel, stride=args.stride, padding=padding)
    height, width = image.shape
    out_height, out_width = result.output.shape
    print(
        f"{height}x{width} image, {kernel.shape[0]}x{kernel.shape[1]} kernel, stride "
        f"{args.stride}, padding {padding}: output {out_height}x{out_width} "
        f"({'; '.join(result.rules())})"
    )
    return {
        "input_shape": [height, width],
        "kernel": kernel.tolist(),
        "output_shape": [out_height, out_width],
        "output": [[round(float(value), 6) for value in row] for row in result.output],
    }


def add_commands(commands) -> None:
    """list-datasets, download, import-dataset, download-weights, list-archs, describe, convolve."""
    commands.add_parser(
        "list-datasets", help="every dataset and whether it is on this machine"
    ).set_defaults(run=_list_datasets)
    download = commands.add_parser(
        "download", help="download a dataset through keras.datasets (needs the internet once)"
    )
    download.add_argument("dataset", help="dataset id, e.g. mnist or cifar10")
    download.set_defaults(run=_download)
    imports = commands.add_parser(
        "import-dataset",
        help="import a ZIP (or a folder) of class folders as a dataset under the data root",
    )
    imports.add_argument(
        "source",
        metavar="ARCHIVE_OR_FOLDER",
        help="a .zip or a folder with one sub-folder of images per class",
    )
    imports.add_argument("--name", help="dataset id (default: from the file name)")
    imports.add_argument(
        "--test",
        metavar="ARCHIVE_OR_FOLDER",
        help="a separate test set with the same class folders",
    )
    imports.add_argument(
        "--image-size",
        metavar="H,W",
        help="size the images are resized to (default: the first image's, at most 128)",
    )
    imports.add_argument(
        "--color-mode", choices=COLOR_MODES, help="default: that of the first image"
    )
    imports.add_argument(
        "--validation-split",
        type=float,
        help="held out for validation when the dataset is chosen (default 0.2)",
    )
    imports.add_argument("--seed", type=int, help="seed of the validation split (default 42)")
    imports.add_argument(
        "--replace", action="store_true", help="replace a dataset of the same name imported before"
    )
    imports.set_defaults(run=_import_dataset)
    weights = commands.add_parser(
        "download-weights",
        help="download a transfer-learning backbone's ImageNet weights (needs the internet once)",
    )
    weights.add_argument("backbone", help="mobilenetv2, resnet50 or efficientnetb0")
    weights.add_argument(
        "--image-size",
        type=int,
        default=96,
        help="the image size inside the model (MobileNetV2 has weights per size)",
    )
    weights.set_defaults(run=_download_weights)
    commands.add_parser(
        "list-archs", help="every architecture with its source in the course"
    ).set_defaults(run=_list_archs)
    describe = commands.add_parser(
        "describe", help="layers and parameter counts of an architecture"
    )
    describe.add_argument("--arch", required=True)
    describe.add_argument("--input-shape", required=True, help="H,W,C e.g. 28,28,1")
    describe.add_argument("--classes", type=int, required=True)
    describe.set_defaults(run=_describe)
    convolve = commands.add_parser(
        "convolve",
        help="convolve an image (its grayscale) with a kernel through keras.layers.Conv2D, as the "
        "Convolution lab does",
    )
    convolve.add_argument("image", metavar="IMAGE", help="an image file (PNG, JPEG, ...)")
    convolve.add_argument(
        "--kernel",
        required=True,
        help=f"{', '.join(convolution.KERNELS)}, or your own 3x3 / 5x5 as rows of numbers, "
        "e.g. '1,0,-1;2,0,-2;1,0,-1'",
    )
    convolve.add_argument(
        "--stride", type=int, default=1, help=f"1 to {convolution.MAX_STRIDE} (default 1)"
    )
    convolve.add_argument(
        "--padding",
        default="valid",
        help=f"valid, same or a number of zeros 0-{convolution.MAX_PADDING} (default valid)",
    )
    convolve.set_defaults(run=_convolve)
