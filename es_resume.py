"""Spanish for the strings of continued training (issue 15, part 1)."""

ES = {
    # clfcore.config
    "The first epoch of a continued run must be 0 or more, got {value}.": "La primera época de un entrenamiento continuado debe ser 0 o más; se recibió {value}.",
    "A run that starts at epoch {value} must name the run it continues (parent). Continue a run from the Runs or Evaluate page, or with python -m clfcore train --resume RUN.": "Una ejecución que empieza en la época {value} debe indicar la ejecución que continúa (parent). Continúa una ejecución desde la página Ejecuciones o Evaluar, o con python -m clfcore train --resume RUN.",
    # clfcore.training.resume
    "The run {run} is {status}: only a completed, stopped or interrupted run can be continued. Wait until it ends, or continue another run.": "La ejecución {run} está en estado {status}: solo se puede continuar una ejecución completada, detenida o interrumpida. Espera a que termine o continúa otra.",
    "The run {run} saved no model (it ended before its first epoch), so there is nothing to continue. Train it again instead.": "La ejecución {run} no guardó ningún modelo (terminó antes de su primera época), así que no hay nada que continuar. Entrénala de nuevo.",
    "A continued run keeps the {setting} of the run it continues ({value}); it cannot change it. Start a new training on the Train page to change it.": "Una ejecución continuada conserva el ajuste {setting} de la ejecución que continúa ({value}); no puede cambiarlo. Empieza un entrenamiento nuevo en la página Entrenar para cambiarlo.",
    "The run {parent} this run continues is gone (deleted?), so there is no model to train on from. Continue another run, or start a new training.": "La ejecución {parent} que esta continúa ya no existe (¿se borró?), así que no hay modelo desde el que seguir. Continúa otra ejecución o empieza un entrenamiento nuevo.",
    # clfcore.cli
    "--{option} cannot be given with --resume: a continued run keeps its parent's dataset, architecture and data settings. Only --epochs, --lr and --batch-size can change.": "--{option} no se puede usar con --resume: una ejecución continuada conserva el conjunto de datos, la arquitectura y los ajustes de datos de la ejecución que continúa. Solo pueden cambiar --epochs, --lr y --batch-size.",
    "--resume needs --epochs N: how many more epochs to train, e.g. --epochs 5.": "--resume necesita --epochs N: cuántas épocas más entrenar, por ejemplo --epochs 5.",
    "--out cannot be given with --resume: a continued run is written beside the run it continues.": "--out no se puede usar con --resume: una ejecución continuada se guarda junto a la ejecución que continúa.",
    # ui.charts
    "continued here (grey: the run it continues)": "continuada aquí (gris: la ejecución que continúa)",
    # ui.continue_views
    "Continues {parent} from epoch {epoch}.": "Continúa {parent} desde la época {epoch}.",
    "Continues {parent} (deleted) from epoch {epoch}.": "Continúa {parent} (borrada) desde la época {epoch}.",
    "Its learning curves continue those of the run it continues.": "Sus curvas de aprendizaje prolongan las de la ejecución que continúa.",
    "Continue training": "Continuar el entrenamiento",
    "Train this model on for more epochs, from its saved weights and optimizer state: a new run whose epochs are numbered on from epoch {epoch}.": "Entrena este modelo durante más épocas, desde sus pesos y el estado de su optimizador guardados: una ejecución nueva cuyas épocas siguen numerándose desde la época {epoch}.",
    "Kept from this run: {settings}": "Se conservan de esta ejecución: {settings}",
    "More epochs": "Épocas más",
}
