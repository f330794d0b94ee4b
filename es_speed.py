"""Spanish for the strings of issue 16 (trainer speed, start-to-first-batch)."""

ES = {
    "Started in {seconds:.1f} s: from pressing Start training to the first trained batch.": (
        "Arrancó en {seconds:.1f} s: desde que se pulsó Empezar el entrenamiento hasta el primer "
        "lote entrenado."
    ),
}
