"""Spanish of the strings of the experiment in the URL (issue 14, part E)."""

ES = {
    "{name} must be 1 (on) or 0 (off), got {value!r}.": (
        "{name} debe ser 1 (activado) o 0 (desactivado); se recibió {value!r}."
    ),
    "{name} must be a whole number, got {value!r}.": (
        "{name} debe ser un número entero; se recibió {value!r}."
    ),
    "{name} must be a number, got {value!r}.": "{name} debe ser un número; se recibió {value!r}.",
    "{name} must be from {low:g} to {high:g}, got {value:g}.": (
        "{name} debe estar entre {low:g} y {high:g}; se recibió {value:g}."
    ),
    "{name} must be one of {allowed}, got {value}.": (
        "{name} debe ser uno de estos valores: {allowed}; se recibió {value}."
    ),
    "Unknown augmentation setting {name!r}. Known settings: {known}.": (
        "Ajuste de aumento de datos desconocido: {name!r}. Ajustes conocidos: {known}."
    ),
    "Unknown parameter {name!r}. Known parameters: {known}.": (
        "Parámetro desconocido: {name!r}. Parámetros conocidos: {known}."
    ),
    "The architecture {arch} has no option {name!r}. Its options are: {known}.": (
        "La arquitectura {arch} no tiene la opción {name!r}. Sus opciones son: {known}."
    ),
    "Some settings of this link were ignored; they keep their defaults:": (
        "Se ignoraron algunos ajustes de este enlace; conservan sus valores por defecto:"
    ),
    "Copy link": "Copiar enlace",
    "Copied.": "Copiado.",
    "**Link to this experiment**: whoever opens it gets the same dataset, model and settings.": (
        "**Enlace a este experimento**: quien lo abra obtiene los mismos datos, modelo y ajustes."
    ),
}
