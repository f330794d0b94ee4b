"""Spanish of the Tune page's and the tuning core's strings (issue 15, part "Tune")."""

ES = {
    "Tune": "Afinar",
    "Optuna's TPE sampler proposes settings, each trial trains as a run of its own, and a median "
    "pruner stops the trials that fall behind. The settings not searched are the Model and Train "
    "pages' ones.": "El muestreador TPE de Optuna propone ajustes, cada prueba entrena como una "
    "ejecución propia y un podador por la mediana detiene las pruebas que se quedan atrás. Los "
    "ajustes que no se buscan son los de las páginas Modelo y Entrenar.",
    "What to search": "Qué buscar",
    "Study": "Estudio",
    "Settings to search": "Ajustes que buscar",
    "Learning rate from": "Tasa de aprendizaje desde",
    "to": "hasta",
    "Batch sizes to try": "Tamaños de lote que probar",
    "Optimizers to try": "Optimizadores que probar",
    "Dropout from / to": "Dropout desde / hasta",
    "Units to try": "Unidades que probar",
    "Epochs from / to": "Épocas desde / hasta",
    "Trials": "Pruebas",
    "Time budget (minutes, 0 = none)": "Tiempo máximo (minutos, 0 = sin límite)",
    "Stop weak trials early (median pruner)": "Detener pronto las pruebas flojas (podador por "
    "la mediana)",
    "After each epoch a trial whose validation accuracy is below the median of the finished "
    "trials at that epoch is stopped.": "Tras cada época se detiene la prueba cuya exactitud de "
    "validación queda por debajo de la mediana de las pruebas terminadas en esa época.",
    "Study name (the same name again resumes it)": "Nombre del estudio (el mismo nombre lo "
    "reanuda)",
    "e.g. mlp-learning-rate": "p. ej. mlp-tasa-aprendizaje",
    "Start the study": "Iniciar el estudio",
    "Trial": "Prueba",
    "State": "Estado",
    "Validation accuracy": "Exactitud de validación",
    "Optimization history": "Historial de la optimización",
    "Validation accuracy per epoch": "Exactitud de validación por época",
    "Parallel coordinates": "Coordenadas paralelas",
    "Setting importances": "Importancia de cada ajuste",
    "The first trial is starting...": "La primera prueba está empezando...",
    "Study {study}": "Estudio {study}",
    "{status}: {done} of {trials} trials ({pruned} pruned) · {model} on {dataset}": "{status}: "
    "{done} de {trials} pruebas ({pruned} podadas) · {model} con {dataset}",
    "Stop the study": "Detener el estudio",
    "Resume the study": "Reanudar el estudio",
    "Best validation accuracy {value:.2%} with {params}": "Mejor exactitud de validación "
    "{value:.2%} con {params}",
    "Train with the best settings": "Entrenar con los mejores ajustes",
    "pruned": "podada",
    "time budget spent": "tiempo agotado",
    "batch size": "tamaño de lote",
    "optimizer": "optimizador",
    "dropout": "dropout",
    "units": "unidades",
    "epochs": "épocas",
    "Choose at least one setting to search: {known}.": "Elige al menos un ajuste que buscar: "
    "{known}.",
    "Unknown setting to search {value!r}. Choose from: {known}.": "Ajuste que buscar "
    "desconocido {value!r}. Elige entre: {known}.",
    "The learning-rate range must be 0 < low < high, got {low} to {high}. For example 0.0001 "
    "to 0.1.": "El intervalo de la tasa de aprendizaje debe cumplir 0 < desde < hasta; se "
    "recibió {low} a {high}. Por ejemplo, de 0.0001 a 0.1.",
    "The dropout range must be 0 <= low <= high < 1, got {low} to {high}.": "El intervalo del "
    "dropout debe cumplir 0 <= desde <= hasta < 1; se recibió {low} a {high}.",
    "The epochs range must be 1 <= low <= high, got {low} to {high}.": "El intervalo de épocas "
    "debe cumplir 1 <= desde <= hasta; se recibió {low} a {high}.",
    "The {name} to try must be one or more positive whole numbers, got {values}.": "Los valores "
    "de {name} que probar deben ser uno o más números enteros positivos; se recibió {values}.",
    "The optimizers to try must be some of: {known}, got {values}.": "Los optimizadores que "
    "probar deben ser algunos de: {known}; se recibió {values}.",
    "The {arch} architecture has no {name} setting to search. Leave {name} out of the search, or "
    "choose the MLP or a transfer-learning model.": "La arquitectura {arch} no tiene un ajuste "
    "{name} que buscar. Quita {name} de la búsqueda o elige el MLP o un modelo de aprendizaje "
    "por transferencia.",
    "The study {study} is already running. Stop it first, or wait for it to end.": "El estudio "
    "{study} ya está en marcha. Detenlo primero o espera a que termine.",
    "The study's driver process ended unexpectedly. Resume the study to go on.": "El proceso que "
    "dirige el estudio terminó de forma inesperada. Reanuda el estudio para continuar.",
    "The study's driver failed: {reason}": "El proceso que dirige el estudio falló: {reason}",
    "A study needs at least 1 trial, got {value}. For example 20.": "Un estudio necesita al "
    "menos 1 prueba; se recibió {value}. Por ejemplo, 20.",
    "The time budget must be more than 0 seconds, got {value}. Leave it out for no limit.": "El "
    "tiempo máximo debe ser de más de 0 segundos; se recibió {value}. Omítelo para no tener "
    "límite.",
    "The pruner's startup trials and warm-up epochs must be 0 or more, got {startup} and "
    "{warmup}.": "Las pruebas iniciales y las épocas de calentamiento del podador deben ser 0 o "
    "más; se recibió {startup} y {warmup}.",
    "A study name is 1 to 60 lower-case letters, digits, '-' or '_', starting with a letter or "
    "digit; got {value!r}.": "El nombre de un estudio tiene de 1 a 60 minúsculas, dígitos, '-' o "
    "'_', y empieza por una letra o un dígito; se recibió {value!r}.",
    "There is no study in {path}.": "No hay ningún estudio en {path}.",
}
