"""Spanish for the strings of continued training (issue 15, part 1)."""

ES = {
    # clfcore.config
    "The first epoch of a continued run must be 0 or more, got {value}.": "La primera época de un entrenamiento continuado debe ser 0 o más; se recibió {value}.",
    "A run that starts at epoch {value} must name the run it continues (parent). Continue a run from the Runs or Evaluate page, or with python -m clfcore train --resume RUN.": "Un entrenamiento que empieza en la época {value} debe indicar el entrenamiento que continúa (parent). Continúa un entrenamiento desde la página Entrenamientos o Evaluar, o con python -m clfcore train --resume RUN.",
    # clfcore.training.resume
    "The run {run} is {status}: only a completed, stopped or interrupted run can be continued. Wait until it ends, or continue another run.": "El entrenamiento {run} está {status}: solo se puede continuar un entrenamiento completado, detenido o interrumpido. Espera a que termine o continúa otro.",
    "The run {run} saved no model (it ended before its first epoch), so there is nothing to continue. Train it again instead.": "El entrenamiento {run} no guardó ningún modelo (terminó antes de su primera época), así que no hay nada que continuar. Entrénalo de nuevo.",
    "A continued run keeps the {setting} of the run it continues ({value}); it cannot change it. Start a new training on the Train page to change it.": "Un entrenamiento continuado conserva el ajuste {setting} del entrenamiento que continúa ({value}); no puede cambiarlo. Empieza un entrenamiento nuevo en la página Entrenar para cambiarlo.",
    "The run {parent} this run continues is gone (deleted?), so there is no model to train on from. Continue another run, or start a new training.": "El entrenamiento {parent} que este continúa ya no existe (¿se borró?), así que no hay modelo desde el que seguir. Continúa otro entrenamiento o empieza uno nuevo.",
    # clfcore.cli
    "--{option} cannot be given with --resume: a continued run keeps its parent's dataset, architecture and data settings. Only --epochs, --lr and --batch-size can change.": "--{option} no se puede usar con --resume: un entrenamiento continuado conserva el conjunto de datos, la arquitectura y los ajustes de datos del entrenamiento que continúa. Solo pueden cambiar --epochs, --lr y --batch-size.",
    "--resume needs --epochs N: how many more epochs to train, e.g. --epochs 5.": "--resume necesita --epochs N: cuántas épocas más entrenar, por ejemplo --epochs 5.",
    "--out cannot be given with --resume: a continued run is written beside the run it continues.": "--out no se puede usar con --resume: un entrenamiento continuado se guarda junto al entrenamiento que continúa.",
    # ui.charts
    "continued here (grey: the run it continues)": "continuado aquí (gris: el entrenamiento que continúa)",
    # ui.continue_views
    "Continues {parent} from epoch {epoch}.": "Continúa {parent} desde la época {epoch}.",
    "Continues {parent} (deleted) from epoch {epoch}.": "Continúa {parent} (borrado) desde la época {epoch}.",
    "Its learning curves continue those of the run it continues.": "Sus curvas de aprendizaje prolongan las del entrenamiento que continúa.",
    "Continue training": "Continuar el entrenamiento",
    "Train this model on for more epochs, from its saved weights and optimizer state: a new run whose epochs are numbered on from epoch {epoch}.": "Entrena este modelo durante más épocas, desde sus pesos y el estado de su optimizador guardados: un entrenamiento nuevo cuyas épocas siguen numerándose desde la época {epoch}.",
    "Kept from this run: {settings}": "Se conservan de este entrenamiento: {settings}",
    "More epochs": "Épocas más",
}
