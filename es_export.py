"""Spanish of the export strings (issue 15, part 3): merged into the .po by /work/tools/es_to_po.py."""

ES = {
    "TensorFlow SavedModel": "SavedModel de TensorFlow",
    "ONNX": "ONNX",
    "LiteRT (TensorFlow Lite)": "LiteRT (TensorFlow Lite)",
    "Unknown export format {format!r}. Choose one of: {known}.": (
        "Formato de exportación desconocido {format!r}. Elige uno de: {known}."
    ),
    "int8 quantization is offered for LiteRT only, not for {format}. Export litert with int8, "
    "or {format} without it.": (
        "La cuantización int8 solo se ofrece para LiteRT, no para {format}. Exporta litert con "
        "int8, o {format} sin ella."
    ),
    "Exports support single-label classifiers (one class per image, or yes/no); this run's "
    "task is {task}. Use the run's model.keras with Keras for it.": (
        "Las exportaciones admiten clasificadores de una sola etiqueta (una clase por imagen, o "
        "sí/no); la tarea de esta ejecución es {task}. Usa el model.keras de la ejecución con Keras."
    ),
    "Exporting to {format} needs {packages}, which is not installed. Install it with: pip "
    "install 'clfcore[export]' (or pip install {packages}), then restart the app.": (
        "Exportar a {format} necesita {packages}, que no está instalado. Instálalo con: pip "
        "install 'clfcore[export]' (o pip install {packages}) y reinicia la aplicación."
    ),
    "{format} cannot hold the layer {layer} ({kind}) of this model: its converter or runtime "
    "does not support what the layer computes. Export another format (a SavedModel holds every "
    "layer), or train a model without that layer.": (
        "{format} no puede contener la capa {layer} ({kind}) de este modelo: su conversor o su "
        "entorno de ejecución no admite lo que calcula la capa. Exporta otro formato (un "
        "SavedModel admite todas las capas) o entrena un modelo sin esa capa."
    ),
    "The model could not be exported to {format}: {reason}. Try another format.": (
        "No se pudo exportar el modelo a {format}: {reason}. Prueba otro formato."
    ),
    "Python": "Python",
    "Android (Kotlin)": "Android (Kotlin)",
    "Raspberry Pi": "Raspberry Pi",
    "Exporting and checking the export on the test images...": (
        "Exportando y comprobando la exportación con las imágenes de test..."
    ),
    "Model": "Modelo",
    "Keras (model.keras)": "Keras (model.keras)",
    "File size": "Tamaño del archivo",
    "ms per image": "ms por imagen",
    "Each export was loaded back in its own runtime (TensorFlow, ONNX Runtime, the LiteRT "
    "interpreter) and run on the whole test set. The time is the median of classifying one "
    "image at a time on this server; a phone's differs.": (
        "Cada exportación se volvió a cargar en su propio entorno de ejecución (TensorFlow, ONNX "
        "Runtime, el intérprete de LiteRT) y se ejecutó sobre todo el conjunto de test. El tiempo "
        "es la mediana de clasificar una imagen cada vez en este servidor; en un móvil será otro."
    ),
    "Usage for": "Uso de",
    "For phones and the web: the model as a TensorFlow SavedModel, ONNX or LiteRT file. int8 "
    "(LiteRT) quantizes weights and activations after training, calibrated on {count} training "
    "images: about a quarter of the size, for a small loss of accuracy.": (
        "Para móviles y la web: el modelo como archivo SavedModel de TensorFlow, ONNX o LiteRT. "
        "int8 (LiteRT) cuantiza pesos y activaciones tras el entrenamiento, calibrado con {count} "
        "imágenes de entrenamiento: alrededor de la cuarta parte del tamaño, a cambio de una "
        "pequeña pérdida de exactitud."
    ),
    "Format": "Formato",
    "int8": "int8",
    "Full-integer post-training quantization; LiteRT only.": (
        "Cuantización entera completa tras el entrenamiento; solo LiteRT."
    ),
    "Exporting to this format needs {packages}. Install the export extra with pip install "
    "'clfcore[export]', then restart the app.": (
        "Exportar a este formato necesita {packages}. Instala el extra de exportación con pip "
        "install 'clfcore[export]' y reinicia la aplicación."
    ),
    "Export": "Exportar",
    "Export for phones and the web": "Exportar para móviles y la web",
}
