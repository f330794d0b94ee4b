"""Spanish for the new user-facing strings of the job commands (submit, runs, stop)."""

ES = {
    "The run {run} has already finished ({status}): there is nothing to stop. python -m clfcore "
    "runs shows which runs are queued or training.": "La ejecución {run} ya ha terminado "
    "({status}): no hay nada que detener. python -m clfcore runs muestra qué ejecuciones están "
    "en cola o entrenando.",
}
