"""Spanish for the layer-by-layer walk and the similar images (issue 14, helper B)."""

ES = {
    "A test image": "Una imagen de test",
    "Your own image": "Una imagen tuya",
    "lays the values out in one long vector, for the Dense layers": (
        "pone los valores en fila en un solo vector largo, para las capas Dense"
    ),
    "is off when the model predicts: its output is its input": (
        "está apagada cuando el modelo predice: su salida es su entrada"
    ),
    "resizes the image to the size the next layers expect": (
        "cambia el tamaño de la imagen al que esperan las capas siguientes"
    ),
    "scales the pixel values": "escala los valores de los píxeles",
    "prepares the values for the next layer": "prepara los valores para la capa siguiente",
    "Layer by layer": "Capa a capa",
    "Predicted: **{pred}** ({conf:.0%})": "Predicción: **{pred}** ({conf:.0%})",
    "An image": "Una imagen",
    "It is prepared as on the Classify page: turned, cropped, resized and scaled to what the "
    "model takes.": (
        "Se prepara como en la página Clasificar: se endereza, se recorta, se redimensiona y se "
        "escala a lo que recibe el modelo."
    ),
    "Your image, as the model sees it": "Tu imagen, tal como la ve el modelo",
    "{count} layers, {params} parameters. Below, each layer's output for this image, from the "
    "input to the prediction. Click a feature map to open it.": (
        "{count} capas, {params} parámetros. Debajo, la salida de cada capa para esta imagen, "
        "de la entrada a la predicción. Haz clic en un mapa de características para abrirlo."
    ),
    "**{number}. {name}** · {kind} · {shape} · {params} parameters": (
        "**{number}. {name}** · {kind} · {shape} · {params} parámetros"
    ),
    "is a whole pre-trained network, shown as one layer": (
        "es toda una red preentrenada, mostrada como una sola capa"
    ),
    "This layer {note}.": "Esta capa {note}.",
    "Open a feature map of": "Abrir un mapa de características de",
    "Or click a feature map in the layers below.": (
        "O haz clic en un mapa de características en las capas de abajo."
    ),
    "{shown} of {total} feature maps, {h}x{w} each, each scaled to its own maximum.": (
        "{shown} de {total} mapas de características, de {h}x{w} cada uno, cada uno escalado a "
        "su propio máximo."
    ),
    "One bar per unit: {active} of {total} are above zero for this image.": (
        "Una barra por unidad: {active} de {total} están por encima de cero para esta imagen."
    ),
    "The first {shown} are drawn.": "Se dibujan las {shown} primeras.",
    "The output: one probability per class. The model answers **{name}** ({p:.0%}).": (
        "La salida: una probabilidad por clase. El modelo responde **{name}** ({p:.0%})."
    ),
    "Feature map {number} of {layer}; the red square is its strongest unit (row {row}, column "
    "{col}, value {value:.3f}).": (
        "Mapa de características {number} de {layer}; el cuadrado rojo es su unidad más fuerte "
        "(fila {row}, columna {col}, valor {value:.3f})."
    ),
    "What that unit sees: its receptive field, {h}x{w} pixels of the input (rows {top}-{bottom}, "
    "columns {left}-{right} inside the image). Each convolution or pooling before it widens the "
    "window.": (
        "Lo que ve esa unidad: su campo receptivo, {h}x{w} píxeles de la entrada (filas "
        "{top}-{bottom}, columnas {left}-{right} dentro de la imagen). Cada convolución o pooling "
        "anterior ensancha la ventana."
    ),
    "No single kernel made this map (the layer mixes its inputs).": (
        "Ningún kernel por sí solo produjo este mapa (la capa mezcla sus entradas)."
    ),
    "This map is map {number} of **{conv}**, passed on channel by channel; its kernel:": (
        "Este mapa es el mapa {number} de **{conv}**, transmitido canal a canal; su kernel:"
    ),
    "channel {n}": "canal {n}",
    "**The filter** ({k}x{k}) of the first convolution, one slice per channel of the image: red "
    "weights raise the map where the pixels are bright, blue lower it.": (
        "**El filtro** ({k}x{k}) de la primera convolución, un corte por canal de la imagen: los "
        "pesos rojos suben el mapa donde los píxeles son claros, los azules lo bajan."
    ),
    "input map {n} · L1 {norm:.2f}": "mapa de entrada {n} · L1 {norm:.2f}",
    "**The kernel** ({k}x{k}x{total}): the {count} input maps (of {before}) with the largest "
    "weights (L1 norm) for this map, each above its slice of the kernel.": (
        "**El kernel** ({k}x{k}x{total}): los {count} mapas de entrada (de {before}) con los "
        "pesos más grandes (norma L1) para este mapa, cada uno sobre su corte del kernel."
    ),
    "the image": "la imagen",
    "weight": "peso",
    "Similar images": "Imágenes parecidas",
    "Computing the features of the training images (once per model)...": (
        "Calculando las características de las imágenes de entrenamiento (una vez por modelo)..."
    ),
    "The {count} training images nearest to this one in the network's penultimate layer (the "
    "values its output layer classifies), among {size} training images: what the network thinks "
    "looks alike. Under each: its label · its distance.": (
        "Las {count} imágenes de entrenamiento más cercanas a esta en la penúltima capa de la red "
        "(los valores que clasifica su capa de salida), entre {size} imágenes de entrenamiento: "
        "lo que la red cree que se parece. Debajo de cada una: su etiqueta · su distancia."
    ),
    "no label": "sin etiqueta",
    "Give one image to walk through the layers, got {count}.": (
        "Da una sola imagen para recorrer las capas; se recibieron {count}."
    ),
    "The model has no layer named {name!r}. Choose one of: {known}.": (
        "El modelo no tiene ninguna capa llamada {name!r}. Elige una de: {known}."
    ),
    "The layer {name!r} has no feature maps, so its units have no region of the image.": (
        "La capa {name!r} no tiene mapas de características, así que sus unidades no tienen una "
        "región de la imagen."
    ),
    "The unit ({row}, {col}) is outside the {height}x{width} maps of {name}.": (
        "La unidad ({row}, {col}) está fuera de los mapas de {height}x{width} de {name}."
    ),
    "The region of the image seen by a unit cannot be traced through the layer {name} ({kind}).": (
        "La región de la imagen que ve una unidad no se puede seguir a través de la capa {name} "
        "({kind})."
    ),
    "The model has no convolution layer named {name!r} at its top level.": (
        "El modelo no tiene ninguna capa de convolución llamada {name!r} en su nivel superior."
    ),
    "{name} has feature maps 0 to {last}, not {channel}.": (
        "{name} tiene los mapas de características 0 a {last}, no {channel}."
    ),
    "Expected some images and one label each, got {images} images and {labels} labels.": (
        "Se esperaban algunas imágenes y una etiqueta por imagen; se recibieron {images} "
        "imágenes y {labels} etiquetas."
    ),
    "Ask for at least 1 neighbour, got {count}.": "Pide al menos 1 vecino; se pidieron {count}.",
    "The features have {got} values, the index {expected}: fit it with the same model.": (
        "Las características tienen {got} valores y el índice {expected}: ajústalo con el mismo "
        "modelo."
    ),
}
