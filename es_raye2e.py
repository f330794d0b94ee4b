"""Spanish for the strings of the Ray end-to-end task (merged into the .po by tools/es_to_po.py)."""

ES = {
    "Queued: position {n}. It starts once the training backend can be reached again (see the "
    "message above).": "En cola: posición {n}. Empezará cuando se pueda volver a conectar con el "
    "sistema de entrenamiento (mira el mensaje de arriba).",
}
