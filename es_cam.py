"""Spanish of the camera recording and live classification strings (issue 15, camera classes):
merged into the .po by /work/tools/es_to_po.py."""

ES = {
    "A burst of pictures and live classification need streamlit-webrtc. Install the camera "
    "extra with pip install 'clfcore[camera]', then restart the app.": (
        "Una ráfaga de fotos y la clasificación en directo necesitan streamlit-webrtc. Instala "
        "el extra camera con pip install 'clfcore[camera]' y reinicia la aplicación."
    ),
    "Start the camera": "Encender la cámara",
    "Stop the camera": "Apagar la cámara",
    "Choose a camera": "Elige una cámara",
    "This browser cannot use a camera here.": "Este navegador no puede usar una cámara aquí.",
    "Allow this page to use the camera.": "Permite que esta página use la cámara.",
    "No camera was found.": "No se encontró ninguna cámara.",
    "The camera was refused: allow it in the browser's settings.": (
        "Se denegó la cámara: permítela en la configuración del navegador."
    ),
    "Pictures go to": "Las fotos van a",
    "Take a picture for {name}": "Haz una foto para {name}",
    "Record {fps} pictures a second for {name}": "Grabar {fps} fotos por segundo para {name}",
    "Save as dataset": "Guardar como conjunto de datos",
    "Saved your recording as the dataset {name}. It is now the chosen dataset: explore it "
    "below, or train a camera classifier on it.": (
        "Tu grabación se guardó como el conjunto de datos {name}. Ahora es el conjunto elegido: "
        "explóralo abajo o entrena con él un clasificador para la cámara."
    ),
    "Train a camera classifier": "Entrenar un clasificador para la cámara",
    "The ImageNet weights of MobileNetV2 are not on this machine, so the camera classifier is "
    "the recommended CNN trained from random weights: it still learns a few classes that look "
    "different, but less well than transfer learning. For transfer learning, copy {file} "
    "(from {url}) into {folder}.": (
        "Los pesos de ImageNet de MobileNetV2 no están en esta máquina, así que el clasificador "
        "para la cámara es la CNN recomendada entrenada desde pesos aleatorios: aun así aprende "
        "unas pocas clases que se vean distintas, pero peor que con aprendizaje por "
        "transferencia. Para el aprendizaje por transferencia, copia {file} (de {url}) en "
        "{folder}."
    ),
    "One picture": "Una foto",
    "Live": "En directo",
    "Camera mode": "Modo de la cámara",
    "Press Start: the model classifies the picture about three times a second and writes its "
    "best guess and its probability on it.": (
        "Pulsa Encender: el modelo clasifica la imagen unas tres veces por segundo y escribe "
        "encima su mejor respuesta y su probabilidad."
    ),
    "Record your own classes with the camera": "Graba tus propias clases con la cámara",
    "Name two or more classes, then take pictures of each: hold the object in front of the "
    "camera and click, or record a burst. Every picture is cropped to a square of "
    "{size}x{size} pixels. Take at least {minimum} of each class, from different angles and "
    "distances. The pictures are kept until you save them.": (
        "Pon nombre a dos o más clases y haz fotos de cada una: sostén el objeto delante de la "
        "cámara y haz clic, o graba una ráfaga. Cada foto se recorta a un cuadrado de "
        "{size}x{size} píxeles. Haz al menos {minimum} de cada clase, desde distintos ángulos y "
        "distancias. Las fotos se conservan hasta que las guardes."
    ),
    "New class (type a name, press Enter)": "Nueva clase (escribe un nombre y pulsa Intro)",
    "The camera is off: browsers give it only to secure pages, and this page was opened at "
    "{url}. Open the app at an https:// address (or at http://localhost on the server itself), "
    "or ask your teacher to serve it over https. Meanwhile, import a ZIP of class folders "
    "above.": (
        "La cámara está apagada: los navegadores solo la dan a páginas seguras, y esta página se "
        "abrió en {url}. Abre la aplicación en una dirección https:// (o en http://localhost en "
        "el propio servidor), o pide a tu profesor que la sirva por https. Mientras tanto, "
        "importa arriba un ZIP de carpetas de clases."
    ),
    "One picture per click": "Una foto por clic",
    "Burst": "Ráfaga",
    "Remove": "Quitar",
    "Yes, remove {name} and its pictures": "Sí, quitar {name} y sus fotos",
    "No pictures yet.": "Todavía no hay fotos.",
    "The newest {shown} of {count}:": "Las {shown} más recientes de {count}:",
    "Discard the recording...": "Descartar la grabación...",
    "Yes, delete every picture": "Sí, borrar todas las fotos",
    "for example: thumbs up": "por ejemplo: pulgar arriba",
    "1 picture": "1 foto",
    "{count} pictures": "{count} fotos",
    "Delete this picture": "Borrar esta foto",
    "Save as a dataset": "Guardar como conjunto de datos",
    "The class name {name!r} is not valid. Use letters, digits, spaces, '-' and '_' (at most "
    "40), starting with a letter or digit.": (
        "El nombre de clase {name!r} no es válido. Usa letras, dígitos, espacios, '-' y '_' "
        "(como mucho 40), empezando por una letra o un dígito."
    ),
    "A class cannot be called {name!r}: that folder name means a split of the dataset. Choose "
    "another name.": (
        "Una clase no puede llamarse {name!r}: ese nombre de carpeta indica una partición del "
        "conjunto de datos. Elige otro nombre."
    ),
    "There is no class {name!r} in this recording. Add it first.": (
        "No hay ninguna clase {name!r} en esta grabación. Añádela primero."
    ),
    "There is already a class called {name!r}. Choose another name.": (
        "Ya hay una clase llamada {name!r}. Elige otro nombre."
    ),
    "A recording can have at most {limit} classes. Remove one before adding another.": (
        "Una grabación puede tener como mucho {limit} clases. Quita una antes de añadir otra."
    ),
    "The class {name!r} has {limit} pictures, the most one class can have. Delete some, or "
    "save the recording.": (
        "La clase {name!r} tiene {limit} fotos, el máximo para una clase. Borra algunas o guarda "
        "la grabación."
    ),
    "There is no picture {shot!r} in {name!r}.": "No hay ninguna foto {shot!r} en {name!r}.",
    "The burst must keep between 1 and 30 pictures a second, got {fps}.": (
        "La ráfaga debe guardar entre 1 y 30 fotos por segundo; se recibió {fps}."
    ),
    "The camera picture could not be read as an image. Take the picture again.": (
        "La foto de la cámara no se pudo leer como imagen. Haz la foto de nuevo."
    ),
    "A camera frame must be an array of shape (height, width, 3), got {shape}.": (
        "Un fotograma de la cámara debe ser un array de forma (alto, ancho, 3); se recibió {shape}."
    ),
    "A dataset needs at least {minimum} classes; this recording has {count}. Add another "
    "class and take its pictures.": (
        "Un conjunto de datos necesita al menos {minimum} clases; esta grabación tiene {count}. "
        "Añade otra clase y haz sus fotos."
    ),
    "The class {name!r} has {count} pictures; every class needs at least {minimum}. Take "
    "{missing} more.": (
        "La clase {name!r} tiene {count} fotos; cada clase necesita al menos {minimum}. Haz "
        "{missing} más."
    ),
    "Add class": "Añadir clase",
    "Waiting for the first answer...": "Esperando la primera respuesta...",
    "Now: {name} {probability}": "Ahora: {name} {probability}",
}
