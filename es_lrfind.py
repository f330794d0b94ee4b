"""Spanish of the learning-rate finder's strings (issue 14, part C)."""

ES = {
    "Find a learning rate": "Buscar una tasa de aprendizaje",
    "Trains a copy of this model for about 100 batches while the learning rate grows from 1e-7 "
    "to 10, and stops when the loss explodes. The suggestion sits where the loss falls steadily, "
    "before it turns up. Nothing is saved.": "Entrena una copia de este modelo durante unos 100 "
    "lotes mientras la tasa de aprendizaje crece de 1e-7 a 10, y se detiene cuando la pérdida se "
    "dispara. La sugerencia está donde la pérdida baja de forma sostenida, antes de que vuelva a "
    "subir. No se guarda nada.",
    "Search again": "Buscar de nuevo",
    "Stop the search": "Detener la búsqueda",
    "Preparing the data and the model...": "Preparando los datos y el modelo...",
    "Batch {batch} of {batches}: learning rate {rate}, loss {loss}": "Lote {batch} de "
    "{batches}: tasa de aprendizaje {rate}, pérdida {loss}",
    "Suggested learning rate": "Tasa de aprendizaje sugerida",
    "Steepest descent": "Descenso más pronunciado",
    "Current learning rate": "Tasa de aprendizaje actual",
    "Suggestion": "Sugerencia",
    "Learning rate (log scale)": "Tasa de aprendizaje (escala logarítmica)",
    "Training loss (smoothed)": "Pérdida de entrenamiento (suavizada)",
    "The settings changed since this search: search again for a curve of these.": "Los ajustes "
    "han cambiado desde esta búsqueda: busca de nuevo para obtener la curva de los actuales.",
    "Use this learning rate": "Usar esta tasa de aprendizaje",
    "The model settings use this learning rate.": "Los ajustes del modelo usan esta tasa de "
    "aprendizaje.",
    "The search was stopped.": "La búsqueda se detuvo.",
    "A learning-rate search is already running for you. Wait for it to end or stop it first.": (
        "Ya tienes una búsqueda de la tasa de aprendizaje en curso. Espera a que termine o "
        "detenla primero."
    ),
    "The learning-rate search ended without a result (the process stopped). Start it again.": (
        "La búsqueda de la tasa de aprendizaje terminó sin resultado (el proceso se detuvo). "
        "Vuelve a iniciarla."
    ),
    "The learning-rate search failed: {reason}": "La búsqueda de la tasa de aprendizaje falló: "
    "{reason}",
    "The learning-rate search was stopped.": "La búsqueda de la tasa de aprendizaje se detuvo.",
    "The loss diverged after {count} batches, before the search could draw a curve. Check the "
    "settings (a smaller batch size, another optimizer) or start from a lower learning rate.": (
        "La pérdida divergió tras {count} lotes, antes de que la búsqueda pudiera trazar una "
        "curva. Revisa los ajustes (un tamaño de lote menor, otro optimizador) o empieza con una "
        "tasa de aprendizaje más baja."
    ),
    "The learning rates must grow: give 0 < start ({start}) < end ({end}), such as 1e-7 and 10.": (
        "Las tasas de aprendizaje deben crecer: indica 0 < inicio ({start}) < fin ({end}), por "
        "ejemplo 1e-7 y 10."
    ),
    "The search trains {low} to 10000 batches, got {value}. 100 is usual.": "La búsqueda "
    "entrena de {low} a 10000 lotes; se recibió {value}. Lo habitual es 100.",
}
