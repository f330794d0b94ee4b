"""Short programs that use an export: Python for every format, and for LiteRT also Android (Kotlin)
and a Raspberry Pi - filled in with the run's input shape, class names and preprocessing.

Example::

    from clfcore.export.snippets import ModelFacts, snippets
    facts = ModelFacts((28, 28, 1), ("T-shirt/top", "Trouser"), dark_background=True)
    for target, language, code in snippets("litert", facts, file_name="model.tflite"):
        print(target, language, code[:40])

The preprocessing is the one the model was trained with (``clfcore.data.splits.scale_images``): the
image resized to the model's size, grey or RGB as its channels say, pixel values divided by 255 as
float32 in (1, height, width, channels). A dataset of light objects on a dark background (MNIST,
Fashion-MNIST) gets a note to invert a dark-on-light photo; the Classify page does more
(``clfcore.inference.preprocess``), a snippet stays short. The code itself is not translated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from clfcore.data import datasets
from clfcore.inference.preprocess import style_for_dataset
from clfcore.runs.folder import RunFolder

TARGETS = ("python", "android", "raspberry_pi")  # which snippet: LiteRT has all three


@dataclass(frozen=True)
class ModelFacts:
    """What a snippet needs to know about the model."""

    input_shape: tuple[int, int, int]  # (height, width, channels)
    class_names: tuple[str, ...]
    dark_background: bool = False  # light objects on black, as MNIST
    binary: bool = False  # one sigmoid unit: P(class 1)


def facts_for_run(run: RunFolder) -> ModelFacts:
    config = run.config()
    info = datasets.get_dataset(config.dataset)
    height, width, channels = info.image_shape
    return ModelFacts(
        (int(height), int(width), int(channels)),
        tuple(info.class_names),
        dark_background=style_for_dataset(config.dataset).background == "dark",
        binary=info.task == "binary",
    )


def _python_preprocess(facts: ModelFacts) -> str:
    height, width, channels = facts.input_shape
    mode = "L" if channels == 1 else "RGB"
    lines = [
        f'image = Image.open("photo.png").convert("{mode}").resize(({width}, {height}))',
        "x = np.asarray(image, dtype=np.float32) / 255.0  # pixels 0-1, as in training",
    ]
    if facts.dark_background:
        lines.append("# the training images are light on a dark background: for a dark-on-light")
        lines.append("# photo, invert it first: x = 1.0 - x")
    lines.append(f"x = x.reshape(1, {height}, {width}, {channels})  # a batch of one image")
    return "\n".join(lines)


def _python_answer(facts: ModelFacts, outputs: str) -> str:
    names = json.dumps(list(facts.class_names), ensure_ascii=False)
    if facts.binary:
        return (
            f"CLASS_NAMES = {names}\n"
            f"p = float(np.ravel({outputs})[0])  # P({facts.class_names[-1]})\n"
            "print(CLASS_NAMES[int(p >= 0.5)], p)"
        )
    return (
        f"CLASS_NAMES = {names}\n"
        f"probabilities = np.ravel({outputs})\n"
        "print(CLASS_NAMES[int(probabilities.argmax())], float(probabilities.max()))"
    )


def python_snippet(fmt: str, facts: ModelFacts, *, file_name: str) -> str:
    """A Python program that classifies one image file with the export ``file_name``."""
    if fmt == "saved_model":
        install, load, call = (
            "pip install tensorflow pillow numpy",
            f'model = tf.saved_model.load("{file_name}")',
            "model.serve(tf.constant(x))",
        )
        imports = "import numpy as np\nimport tensorflow as tf\nfrom PIL import Image"
    elif fmt == "onnx":
        install, load, call = (
            "pip install onnxruntime pillow numpy",
            f'session = onnxruntime.InferenceSession("{file_name}")\n'
            "name = session.get_inputs()[0].name",
            "session.run(None, {name: x})[0]",
        )
        imports = "import numpy as np\nimport onnxruntime\nfrom PIL import Image"
    else:
        install, load, call = (
            "pip install ai-edge-litert pillow numpy",
            f'interpreter = Interpreter(model_path="{file_name}")\n'
            "interpreter.allocate_tensors()\n"
            "source = interpreter.get_input_details()[0]\n"
            "target = interpreter.get_output_details()[0]",
            'interpreter.get_tensor(target["index"])',
        )
        imports = (
            "import numpy as np\nfrom ai_edge_litert.interpreter import Interpreter\n"
            "from PIL import Image"
        )
    body = [f"# {install}", imports, "", load, "", _python_preprocess(facts)]
    if fmt == "litert":
        body += ['interpreter.set_tensor(source["index"], x)', "interpreter.invoke()"]
    body += [_python_answer(facts, call)]
    return "\n".join(body) + "\n"


def android_snippet(facts: ModelFacts, *, file_name: str) -> str:
    """Kotlin for an Android app: the LiteRT Interpreter on a Bitmap, model in the app's assets."""
    height, width, channels = facts.input_shape
    names = ", ".join(json.dumps(n, ensure_ascii=False) for n in facts.class_names)
    outputs = 1 if facts.binary else len(facts.class_names)
    if channels == 1:
        pixel = (
            "val grey = (Color.red(p) + Color.green(p) + Color.blue(p)) / 3f / 255f\n"
            "            input[0][y][x][0] = grey"
        )
    else:
        pixel = (
            "input[0][y][x][0] = Color.red(p) / 255f\n"
            "            input[0][y][x][1] = Color.green(p) / 255f\n"
            "            input[0][y][x][2] = Color.blue(p) / 255f"
        )
    answer = (
        "val p = output[0][0]  // P(" + facts.class_names[-1] + ")\n"
        "    return labels[if (p >= 0.5f) 1 else 0] to p"
        if facts.binary
        else "val best = output[0].indices.maxBy { output[0][it] }\n"
        "    return labels[best] to output[0][best]"
    )
    invert = (
        "\n// The training images are light on a dark background: invert a dark-on-light photo "
        "(1f - value)."
        if facts.dark_background
        else ""
    )
    return f"""// build.gradle.kts: implementation("com.google.ai.edge.litert:litert:1.4.0")
// Put {file_name} in app/src/main/assets/.{invert}
import android.content.Context
import android.graphics.Bitmap
import android.graphics.Color
import java.io.FileInputStream
import java.nio.channels.FileChannel
import org.tensorflow.lite.Interpreter

val labels = arrayOf({names})

fun loadModel(context: Context): Interpreter {{
    val fd = context.assets.openFd("{file_name}")
    val buffer = FileInputStream(fd.fileDescriptor).channel
        .map(FileChannel.MapMode.READ_ONLY, fd.startOffset, fd.declaredLength)
    return Interpreter(buffer)
}}

fun classify(interpreter: Interpreter, photo: Bitmap): Pair<String, Float> {{
    val image = Bitmap.createScaledBitmap(photo, {width}, {height}, true)
    val input = Array(1) {{ Array({height}) {{ Array({width}) {{ FloatArray({channels}) }} }} }}
    for (y in 0 until {height}) {{
        for (x in 0 until {width}) {{
            val p = image.getPixel(x, y)
            {pixel}
        }}
    }}
    val output = Array(1) {{ FloatArray({outputs}) }}
    interpreter.run(input, output)
    {answer}
}}
"""


def raspberry_pi_snippet(facts: ModelFacts, *, file_name: str) -> str:
    """Python on a Raspberry Pi: the camera's frames through ai-edge-litert."""
    height, width, channels = facts.input_shape
    convert = "L" if channels == 1 else "RGB"
    names = json.dumps(list(facts.class_names), ensure_ascii=False)
    invert = (
        "    x = 1.0 - x  # light objects on a dark background, as the training images\n"
        if facts.dark_background
        else ""
    )
    if facts.binary:
        answer = (
            "    p = float(interpreter.get_tensor(target['index']).ravel()[0])\n"
            "    print(CLASS_NAMES[int(p >= 0.5)], round(p, 3))\n"
        )
    else:
        answer = (
            "    probabilities = interpreter.get_tensor(target['index']).ravel()\n"
            "    print(CLASS_NAMES[int(probabilities.argmax())], "
            "round(float(probabilities.max()), 3))\n"
        )
    return (
        "# On the Pi (Raspberry Pi OS, 64-bit): pip install ai-edge-litert pillow numpy\n"
        "# and the camera library: sudo apt install python3-picamera2\n"
        "import numpy as np\n"
        "from ai_edge_litert.interpreter import Interpreter\n"
        "from picamera2 import Picamera2\n"
        "from PIL import Image\n\n"
        f"CLASS_NAMES = {names}\n"
        f'interpreter = Interpreter(model_path="{file_name}", num_threads=4)\n'
        "interpreter.allocate_tensors()\n"
        "source = interpreter.get_input_details()[0]\n"
        "target = interpreter.get_output_details()[0]\n\n"
        "camera = Picamera2()\n"
        "camera.start()\n"
        "while True:\n"
        f'    frame = Image.fromarray(camera.capture_array()).convert("{convert}")\n'
        f"    x = np.asarray(frame.resize(({width}, {height})), dtype=np.float32) / 255.0\n"
        f"{invert}"
        f"    x = x.reshape(1, {height}, {width}, {channels})\n"
        "    interpreter.set_tensor(source['index'], x)\n"
        "    interpreter.invoke()\n"
        f"{answer}"
    )


def snippets(fmt: str, facts: ModelFacts, *, file_name: str) -> list[tuple[str, str, str]]:
    """(target, language for highlighting, code) for ``fmt``: Python, and for LiteRT also Android
    and Raspberry Pi."""
    found = [("python", "python", python_snippet(fmt, facts, file_name=file_name))]
    if fmt == "litert":
        found.append(("android", "kotlin", android_snippet(facts, file_name=file_name)))
        found.append(("raspberry_pi", "python", raspberry_pi_snippet(facts, file_name=file_name)))
    return found
