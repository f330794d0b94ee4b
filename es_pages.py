"""Spanish for the strings of the workspace-aware pages (issue 12): merged into the .po by
/work/tools/es_to_po.py."""

ES = {
    "shared": "compartida",
    "shared by the teacher": "compartida por el profesor",
    "Your workspace uses {used} of {quota}.": "Tu espacio de trabajo usa {used} de {quota}.",
    "Link to this run:": "Enlace a esta ejecución:",
    "Shared with the class": "Compartida con la clase",
    "Every student can then open, evaluate and classify with it (not delete it).": (
        "Así todos los alumnos pueden abrirla, evaluarla y clasificar con ella (no borrarla)."
    ),
    "Shared {run} with the class.": "{run} se ha compartido con la clase.",
    "{run} is no longer shared.": "{run} ya no está compartida.",
    "Only its owner or a teacher can delete it.": "Solo su dueño o un profesor pueden borrarla.",
    "This run is shared by the teacher: you can use it, not delete it.": (
        "Esta ejecución la comparte el profesor: puedes usarla, no borrarla."
    ),
    "Student": "Alumno",
    "Shared": "Compartida",
    # messages of clfcore.workspace that these pages show
    "Your workspace uses {used} of your {quota}, and this needs {adding} more. Delete runs you no "
    "longer need on the Runs page, or datasets on the Dataset page, then try again; or ask the "
    "teacher for a larger quota.": (
        "Tu espacio de trabajo usa {used} de tus {quota}, y esto necesita {adding} más. Borra las "
        "ejecuciones que ya no necesites en la página Ejecuciones, o conjuntos de datos en "
        "la página Datos, y vuelve a intentarlo; o pide al profesor una cuota mayor."
    ),
    "Your workspace uses {used} of your {quota}. Delete runs you no longer need on the Runs page, "
    "or datasets on the Dataset page, then try again; or ask the teacher for a larger quota.": (
        "Tu espacio de trabajo usa {used} de tus {quota}. Borra las ejecuciones que ya no "
        "necesites en la página Ejecuciones, o conjuntos de datos en la página Datos, "
        "y vuelve a intentarlo; o pide al profesor una cuota mayor."
    ),
    "There is no dataset {name!r} in your workspace. Choose one on the Dataset page.": (
        "No hay ningún conjunto de datos {name!r} en tu espacio de trabajo. Elige uno en la "
        "página Datos."
    ),
    # clfcore.workspace.access.RunAccessError
    "There is no run {run!r} in your workspace, and no run of that id is shared with the class. "
    "Check the id on the Runs page; to see a classmate's run, ask the teacher to share it.": (
        "No hay ninguna ejecución {run!r} en tu espacio de trabajo, ni ninguna compartida con la "
        "clase con ese id. Comprueba el id en la página Ejecuciones; para ver la ejecución de un "
        "compañero, pide al profesor que la comparta."
    ),
    "The run {run} belongs to {owner}: only they or a teacher can stop or delete it.": (
        "La ejecución {run} es de {owner}: solo su dueño o un profesor pueden detenerla o borrarla."
    ),
    "Only a teacher can share a run with the class.": (
        "Solo un profesor puede compartir una ejecución con la clase."
    ),
}
