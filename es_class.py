"""Spanish for the Class page (/class) and the class board."""

ES = {
    "Student": "Estudiante",
    "Students": "Estudiantes",
    "you": "tú",
    "Progress": "Progreso",
    "Time left (s)": "Tiempo restante (s)",
    "Queue": "Cola",
    "Training now": "Entrenando ahora",
    "In the queue": "En la cola",
    "Every run": "Todas las ejecuciones",
    "The latest run of each student": "La última ejecución de cada estudiante",
    "The latest 5 runs of each student": "Las 5 últimas ejecuciones de cada estudiante",
    "Best test accuracy": "Mejor exactitud en test",
    "Leaderboard: {dataset}": "Clasificación: {dataset}",
    "No student has trained a model yet. Their runs appear here as they train.": (
        "Ningún estudiante ha entrenado todavía un modelo. Sus ejecuciones aparecen aquí a "
        "medida que entrenan."
    ),
    "Nobody is training right now.": "Nadie está entrenando ahora mismo.",
    "Nobody is waiting to train.": "Nadie espera para entrenar.",
    "The ticked runs have no finished epoch yet.": (
        "Las ejecuciones marcadas aún no han terminado ninguna época."
    ),
    "Tick runs in the table to overlay their learning curves.": (
        "Marca ejecuciones en la tabla para superponer sus curvas de aprendizaje."
    ),
    "The Class page is for teachers: it shows every student's work. Your own runs are on the "
    "Runs page.": (
        "La página Clase es para el profesorado: muestra el trabajo de todos los estudiantes. "
        "Tus ejecuciones están en la página Ejecuciones."
    ),
    "unreadable settings": "ajustes ilegibles",
}
