"""Spanish of the sign-in gate's strings (ui/auth.py, the Classify camera tab)."""

ES = {
    "student": "estudiante",
    "teacher": "docente",
    "Sign in": "Iniciar sesión",
    "User name": "Nombre de usuario",
    "Password": "Contraseña",
    "Sign out": "Cerrar sesión",
    "Use the user name and password your teacher gave you.": (
        "Usa el nombre de usuario y la contraseña que te dio tu docente."
    ),
    "Type your user name and your password.": "Escribe tu nombre de usuario y tu contraseña.",
    "Too many failed sign-ins for {name}. Wait {seconds} seconds, then try again "
    "(or ask your teacher to reset your password).": (
        "Demasiados intentos fallidos para {name}. Espera {seconds} segundos y vuelve a "
        "intentarlo (o pide a tu docente que restablezca tu contraseña)."
    ),
    "Wrong user name or password. Check both and try again, or ask your teacher to reset "
    "your password.": (
        "Nombre de usuario o contraseña incorrectos. Revisa ambos y vuelve a intentarlo, o pide "
        "a tu docente que restablezca tu contraseña."
    ),
    "This page is served over plain http: your password travels unencrypted over "
    "the network. Open the app at an https:// address, or ask your teacher to serve "
    "it over https (README, Class server).": (
        "Esta página se sirve por http sin cifrar: tu contraseña viaja sin protección por la "
        "red. Abre la aplicación en una dirección https://, o pide a tu docente que la sirva por "
        "https (README, Class server)."
    ),
    "Sign in with your school account to use the dashboard.": (
        "Inicia sesión con tu cuenta del centro para usar el panel."
    ),
    "Sign in with the school account": "Iniciar sesión con la cuenta del centro",
    "no [auth] section was found in .streamlit/secrets.toml": (
        "no se encontró ninguna sección [auth] en .streamlit/secrets.toml"
    ),
    "[auth] in secrets.toml has no {keys}": "a [auth] de secrets.toml le falta {keys}",
    "Sign-in with the school's OpenID Connect provider is not set up: {problem}. Put an "
    "[auth] section in .streamlit/secrets.toml with redirect_uri (this server's address "
    "followed by /oauth2callback), cookie_secret (a long random string), client_id, "
    "client_secret and server_metadata_url (the provider's "
    ".well-known/openid-configuration address), then restart the app. README's Class "
    "server section has examples.": (
        "El inicio de sesión con el proveedor OpenID Connect del centro no está configurado: "
        "{problem}. Pon una sección [auth] en .streamlit/secrets.toml con redirect_uri (la "
        "dirección de este servidor seguida de /oauth2callback), cookie_secret (una cadena "
        "aleatoria larga), client_id, client_secret y server_metadata_url (la dirección "
        ".well-known/openid-configuration del proveedor) y reinicia la aplicación. La sección "
        "Class server del README tiene ejemplos."
    ),
    "Signed in as **{name}** ({role})": "Sesión iniciada como **{name}** ({role})",
    "The camera is off: browsers give it only to secure pages, and this page was "
    "opened at {url}. Open the app at an https:// address (or at http://localhost on "
    "the server itself), or ask your teacher to serve it over https. Meanwhile, upload "
    "a photo in the Upload tab.": (
        "La cámara está desactivada: los navegadores solo la permiten en páginas seguras, y esta "
        "página se abrió en {url}. Abre la aplicación en una dirección https:// (o en "
        "http://localhost en el propio servidor), o pide a tu docente que la sirva por https. "
        "Mientras tanto, sube una foto en la pestaña Subir."
    ),
    # clfcore.accounts messages the gate shows
    "{var}={value!r} is not a sign-in mode. Use roster, oidc, or leave it unset for "
    "personal mode.": (
        "{var}={value!r} no es un modo de inicio de sesión. Usa roster, oidc, o déjala sin "
        "definir para el modo personal."
    ),
    "{var}={value!r} must be a positive number (for example {default}).": (
        "{var}={value!r} debe ser un número positivo (por ejemplo {default})."
    ),
    "The sign-in provider gave the e-mail {email!r}, which cannot name a workspace. "
    "Ask the school's administrator to give every account a plain e-mail address.": (
        "El proveedor de inicio de sesión dio el correo {email!r}, que no puede nombrar un "
        "espacio de trabajo. Pide al administrador del centro que dé a cada cuenta una dirección "
        "de correo sencilla."
    ),
    "The class roster {path} cannot be read ({error}). Restore it from a backup, or move "
    "it away and add the users again with: python -m clfcore users add NAME": (
        "No se puede leer la lista de la clase {path} ({error}). Restáurala desde una copia de "
        "seguridad, o apártala y vuelve a añadir a los usuarios con: python -m clfcore users add "
        "NAME"
    ),
    "Signing in...": "Iniciando sesión...",
    # the rest of clfcore.accounts and clfcore.workspace (the classroom core), untranslated so far
    "{name!r} cannot be a user name. Use 1 to 32 lower-case letters, digits, '.', '_' "
    "or '-', starting with a letter or a digit (for example ana.garcia).": (
        "{name!r} no puede ser un nombre de usuario. Usa de 1 a 32 letras minúsculas, dígitos, "
        "'.', '_' o '-', empezando por una letra o un dígito (por ejemplo ana.garcia)."
    ),
    "Unknown role {role!r}. Use student or teacher.": (
        "Rol desconocido {role!r}. Usa student o teacher."
    ),
    "The password is empty. Type a password (it is read from standard input), or give "
    "a file that holds it with --password-file.": (
        "La contraseña está vacía. Escribe una contraseña (se lee de la entrada estándar), o da "
        "un archivo que la contenga con --password-file."
    ),
    "The user {name!r} is already on the roster. Choose another name, or give them "
    "a new password with: python -m clfcore users reset {name}": (
        "El usuario {name!r} ya está en la lista de la clase. Elige otro nombre, o dale una "
        "contraseña nueva con: python -m clfcore users reset {name}"
    ),
    "There is no user {name!r} on the roster. See who is with: python -m clfcore users list": (
        "No hay ningún usuario {name!r} en la lista de la clase. Mira quién está con: python -m "
        "clfcore users list"
    ),
    "There is no dataset {name!r} in your workspace. Choose one on the Dataset page.": (
        "No hay ningún conjunto de datos {name!r} en tu espacio de trabajo. Elige uno en la "
        "página Datos."
    ),
    "Your workspace uses {used} of your {quota}{adding}. Delete runs you no longer need on "
    "the Runs page, or datasets on the Dataset page, then try again; or ask the teacher for "
    "a larger quota.": (
        "Tu espacio de trabajo usa {used} de tus {quota}{adding}. Borra las ejecuciones que ya "
        "no necesites en la página Ejecuciones, o conjuntos de datos en la página Datos, y "
        "vuelve a intentarlo; o pide a tu docente una cuota mayor."
    ),
}
