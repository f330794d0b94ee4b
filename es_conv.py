"""Spanish for the convolution lab (issue 14, helper A): merged into the .po by es_to_po.py."""

ES = {
    # page and navigation
    "Convolution lab": "Laboratorio de convolución",
    "A kernel slides over the image; at each position the covered pixels are multiplied by "
    "the kernel's numbers and summed into one cell of the output feature map. The numbers "
    "come from the same Keras layers a model uses.": "Un kernel se desliza sobre la imagen; en "
    "cada posición, los píxeles cubiertos se multiplican por los números del kernel y se suman en "
    "una celda del mapa de características de salida. Los números salen de las mismas capas de "
    "Keras que usa un modelo.",
    "A dataset image": "Una imagen del conjunto de datos",
    "A small example": "Un ejemplo pequeño",
    "Your image": "Tu imagen",
    "grayscale": "escala de grises",
    "red": "rojo",
    "green": "verde",
    "blue": "azul",
    "valid (no zeros)": "valid (sin ceros)",
    "same (output as large as the input, with stride 1)": "same (salida del tamaño de la "
    "entrada, con paso 1)",
    "a number P of zeros on every side": "un número P de ceros en cada borde",
    "Image number in {name}'s training images": "Número de imagen entre las de entrenamiento de "
    "{name}",
    "Channel": "Canal",
    "Class: {name}. Pixels divided by 255, as the network sees them.": "Clase: {name}. Píxeles "
    "divididos entre 255, como los ve la red.",
    "Choose 'A small example' or 'Your image' instead.": "Elige «Un ejemplo pequeño» o «Tu "
    "imagen» en su lugar.",
    "Image": "Imagen",
    "Example": "Ejemplo",
    "Any photo or drawing; it is reduced to at most {side} pixels a side, in grayscale.": "Cualquier "
    "foto o dibujo; se reduce a {side} píxeles de lado como máximo, en escala de grises.",
    "Upload an image to convolve it.": "Sube una imagen para convolucionarla.",
    "Kernel size": "Tamaño del kernel",
    "Kernel": "Kernel",
    "Your own 3x3 or 5x5": "El tuyo, de 3x3 o 5x5",
    "Padding": "Relleno (padding)",
    "P (zeros on each side)": "P (ceros en cada borde)",
    "**Output size**: {rules}": "**Tamaño de la salida**: {rules}",
    "Stride": "Paso (stride)",
    "The rule of the course: W' = (W - K + 2P) / S + 1, rounded down, for a W-pixel "
    "side, a KxK kernel, P zeros of padding on each side and a stride S.": "La regla del curso: "
    "W' = (W - K + 2P) / S + 1, redondeado hacia abajo, para un lado de W píxeles, un kernel de "
    "KxK, P ceros de relleno en cada borde y un paso S.",
    "The Keras 3 code": "El código de Keras 3",
    "Pooling": "Pooling (agrupación)",
    "Pool size": "Tamaño de pooling",
    "Keras's default (strides=None) is the pool size.": "El valor por defecto de Keras "
    "(strides=None) es el tamaño de pooling.",
    "The rule for pooling (no padding): W' = (W - K) / S + 1, rounded down.": "La regla del "
    "pooling (sin relleno): W' = (W - K) / S + 1, redondeado hacia abajo.",
    "The course starts here: the weights w move along the sequence s, and each "
    "position gives c[k] = s[k]·w[0] + s[k+1]·w[1] + ... (keras.layers.Conv1D).": "El curso "
    "empieza aquí: los pesos w se mueven a lo largo de la secuencia s, y cada posición da "
    "c[k] = s[k]·w[0] + s[k+1]·w[1] + ... (keras.layers.Conv1D).",
    "Sequence s": "Secuencia s",
    "Weights w": "Pesos w",
    "2-D convolution": "Convolución 2D",
    "1-D convolution": "Convolución 1D",
    # ui/conv_views.py
    "row": "fila",
    "column": "columna",
    "One window position only: the kernel covers the whole padded input.": "Una sola posición "
    "de la ventana: el kernel cubre toda la entrada con su relleno.",
    "Window position": "Posición de la ventana",
    "Play": "Reproducir",
    "Moves the window one step every {seconds} s until you switch it off.": "Mueve la ventana "
    "un paso cada {seconds} s hasta que lo apagues.",
    "Input (with its padding)": "Entrada (con su relleno)",
    "Output feature map": "Mapa de características de salida",
    "**Max** of each window": "**Máximo** de cada ventana",
    "**Mean** of each window": "**Media** de cada ventana",
    "Pooled feature map": "Mapa de características tras el pooling",
    "Window {index} of {count}: input rows {r0}-{r1}, columns {c0}-{c1} (padded) fill "
    "output row {row}, column {col}.": "Ventana {index} de {count}: las filas {r0}-{r1} y "
    "columnas {c0}-{c1} de la entrada (con relleno) llenan la fila {row}, columna {col} de la "
    "salida.",
    "Covered input patch": "Parte de la entrada cubierta",
    "Products (patch × kernel)": "Productos (parte × kernel)",
    "Sum of the products: {terms} = **{value}**": "Suma de los productos: {terms} = **{value}**",
    "Max of {values} = **{value}**": "Máximo de {values} = **{value}**",
    "Mean of {values} = **{value}**": "Media de {values} = **{value}**",
    "Sequence s (with its padding)": "Secuencia s (con su relleno)",
    "Output c": "Salida c",
    # clfcore/teaching/convolution.py
    "Identity": "Identidad",
    "Box blur": "Desenfoque de caja",
    "Gaussian blur": "Desenfoque gaussiano",
    "Sharpen": "Enfoque (sharpen)",
    "Sobel horizontal (sobel_x)": "Sobel horizontal (sobel_x)",
    "Sobel vertical (sobel_y)": "Sobel vertical (sobel_y)",
    "Laplacian": "Laplaciano",
    "Emboss": "Relieve (emboss)",
    "Max pooling": "Max pooling (máximo)",
    "Average pooling": "Average pooling (media)",
    "The course's 5x5 example": "El ejemplo de 5x5 del curso",
    "A square (12x12)": "Un cuadrado (12x12)",
    "A diagonal line (12x12)": "Una línea diagonal (12x12)",
    "A handwritten digit (8x8, scikit-learn)": "Un dígito manuscrito (8x8, scikit-learn)",
    "Unknown kernel {name!r}. Choose one of {names}, or give your own as rows of "
    "numbers such as '1,0,-1;2,0,-2;1,0,-1'.": "Kernel desconocido {name!r}. Elige uno de "
    "{names}, o da el tuyo como filas de números, por ejemplo '1,0,-1;2,0,-2;1,0,-1'.",
    "Every cell of the kernel must be a number, such as 1, -2 or 0.25. Fill in or fix "
    "the cells that are not.": "Cada celda del kernel debe ser un número, como 1, -2 o 0.25. "
    "Rellena o corrige las celdas que no lo son.",
    "A kernel must be square (as many rows as columns), got {shape}. Give 3 rows of 3 "
    "numbers or 5 rows of 5.": "Un kernel debe ser cuadrado (tantas filas como columnas); se "
    "recibió {shape}. Da 3 filas de 3 números o 5 filas de 5.",
    "A kernel must be 3x3 or 5x5, got {size}x{size}.": "Un kernel debe ser de 3x3 o 5x5; se "
    "recibió {size}x{size}.",
    "Every row of the kernel needs as many numbers, got rows of {lengths}. Separate "
    "numbers with ',' and rows with ';', e.g. '1,0,-1;2,0,-2;1,0,-1'.": "Cada fila del kernel "
    "necesita la misma cantidad de números; se recibieron filas de {lengths}. Separa los números "
    "con ',' y las filas con ';', por ejemplo '1,0,-1;2,0,-2;1,0,-1'.",
    "The kernel {text!r} holds something that is not a number. Separate numbers with "
    "',' and rows with ';', e.g. '1,0,-1;2,0,-2;1,0,-1'.": "El kernel {text!r} contiene algo que "
    "no es un número. Separa los números con ',' y las filas con ';', por ejemplo "
    "'1,0,-1;2,0,-2;1,0,-1'.",
    "The padding must be valid, same or a number of zeros from 0 to {top}, got "
    "{value!r}.": "El relleno (padding) debe ser valid, same o un número de ceros de 0 a {top}; "
    "se recibió {value!r}.",
    "The stride must be from 1 to {top}, got {stride}.": "El paso (stride) debe ser de 1 a "
    "{top}; se recibió {stride}.",
    "The stride {stride} is larger than the image ({size} pixels): the window would "
    "jump past it. Choose a stride of at most {size}.": "El paso {stride} es mayor que la imagen "
    "({size} píxeles): la ventana saltaría fuera de ella. Elige un paso de {size} como máximo.",
    "The lab takes one grayscale image (a 2-D grid of pixels), got an array of shape "
    "{shape}.": "El laboratorio usa una imagen en escala de grises (una cuadrícula 2D de "
    "píxeles); se recibió un array de forma {shape}.",
    "The pool ({window}x{window}) is larger than the image ({size} pixels a side). "
    "Choose a smaller pool size or a larger image.": "El pooling ({window}x{window}) es mayor "
    "que la imagen ({size} píxeles de lado). Elige un tamaño de pooling menor o una imagen más "
    "grande.",
    "The kernel ({window}x{window}) is larger than the padded image ({size} pixels a "
    "side): there is no position for it. Choose a larger image, more padding or a "
    "smaller kernel.": "El kernel ({window}x{window}) es mayor que la imagen con relleno ({size} "
    "píxeles de lado): no cabe en ninguna posición. Elige una imagen más grande, más relleno o "
    "un kernel más pequeño.",
    "Unknown pooling {kind!r}: choose max or average.": "Pooling desconocido {kind!r}: elige "
    "max o average.",
    "The pool size must be from 2 to 5, got {size}.": "El tamaño de pooling debe ser de 2 a 5; "
    "se recibió {size}.",
    "{text!r} holds something that is not a number. Write numbers separated by "
    "commas, e.g. 0, 1, 2, 3.": "{text!r} contiene algo que no es un número. Escribe números "
    "separados por comas, por ejemplo 0, 1, 2, 3.",
    "Write at least one number, e.g. 0, 1, 2, 3.": "Escribe al menos un número, por ejemplo "
    "0, 1, 2, 3.",
    "The weights must be 1 to 9 numbers, got {count}.": "Los pesos deben ser de 1 a 9 números; "
    "se recibieron {count}.",
    "The weights ({n} numbers) are longer than the padded sequence ({m}): there is no "
    "position for them. Give fewer weights, a longer sequence or more padding.": "Los pesos "
    "({n} números) son más largos que la secuencia con relleno ({m}): no caben en ninguna "
    "posición. Da menos pesos, una secuencia más larga o más relleno.",
    "Unknown example image {name!r}: choose one of {names}.": "Imagen de ejemplo desconocida "
    "{name!r}: elige una de {names}.",
}
