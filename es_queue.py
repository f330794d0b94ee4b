"""Spanish of the strings added by the roster commands and the fair queue (es_to_po.py)."""

ES = {
    "The password file {path} cannot be read ({error}). Give a text file that holds the password "
    "on its first line.": "No se puede leer el archivo de contraseña {path} ({error}). Indica un "
    "archivo de texto que tenga la contraseña en su primera línea.",
    "The two passwords differ. Run the command again.": "Las dos contraseñas no coinciden. "
    "Vuelve a ejecutar la orden.",
    # the roster's messages, which the users commands show (clfcore.accounts)
    "{name!r} cannot be a user name. Use 1 to 32 lower-case letters, digits, '.', '_' or '-', "
    "starting with a letter or a digit (for example ana.garcia).": "{name!r} no puede ser un "
    "nombre de usuario. Usa de 1 a 32 letras minúsculas, cifras, '.', '_' o '-', empezando por "
    "una letra o una cifra (por ejemplo ana.garcia).",
    "Unknown role {role!r}. Use student or teacher.": "Rol desconocido {role!r}. Usa student "
    "(alumno) o teacher (docente).",
    "The password is empty. Type a password (it is read from standard input), or give a file "
    "that holds it with --password-file.": "La contraseña está vacía. Escribe una contraseña (se "
    "lee de la entrada estándar), o indica un archivo que la contenga con --password-file.",
    "The user {name!r} is already on the roster. Choose another name, or give them a new "
    "password with: python -m clfcore users reset {name}": "El usuario {name!r} ya está en la "
    "lista de la clase. Elige otro nombre, o dale una contraseña nueva con: python -m clfcore "
    "users reset {name}",
    "There is no user {name!r} on the roster. See who is with: python -m clfcore users list": (
        "No hay ningún usuario {name!r} en la lista de la clase. Mira quién está con: "
        "python -m clfcore users list"
    ),
    # the same as es_pages.py (RunAccessError became an extraction keyword in both branches)
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
