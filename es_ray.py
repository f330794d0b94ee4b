"""Spanish for the Ray backend's messages (clfcore.jobs, clfcore.jobs.cluster)."""

ES = {
    "CLFCORE_JOBS must be one of {choices}, got {value!r}. Unset it to train here.": (
        "CLFCORE_JOBS debe ser uno de {choices}, pero es {value!r}. Quítalo para entrenar en "
        "esta máquina."
    ),
    "CLFCORE_JOBS=ray needs Ray, which is not installed here. Install it with "
    "pip install 'clfcore[cluster]', or unset CLFCORE_JOBS to train on this machine.": (
        "CLFCORE_JOBS=ray necesita Ray, que no está instalado aquí. Instálalo con "
        "pip install 'clfcore[cluster]', o quita CLFCORE_JOBS para entrenar en esta máquina."
    ),
    "CLFCORE_JOBS=ray needs the address of a Ray cluster. Start one with ray start --head and set "
    "CLFCORE_RAY_ADDRESS to the host:port it prints, or unset CLFCORE_JOBS to train on this "
    "machine.": (
        "CLFCORE_JOBS=ray necesita la dirección de un clúster de Ray. Inicia uno con "
        "ray start --head y pon en CLFCORE_RAY_ADDRESS el host:puerto que muestra, o quita "
        "CLFCORE_JOBS para entrenar en esta máquina."
    ),
    "Cannot reach the Ray cluster at {address} ({reason}). Check that its head is running "
    "(ray start --head prints the address) and that CLFCORE_RAY_ADDRESS names it, or unset "
    "CLFCORE_JOBS to train on this machine. Runs already saved are kept.": (
        "No se puede conectar con el clúster de Ray en {address} ({reason}). Comprueba que su "
        "nodo principal está en marcha (ray start --head muestra la dirección) y que "
        "CLFCORE_RAY_ADDRESS la indica, o quita CLFCORE_JOBS para entrenar en esta máquina. Los "
        "entrenamientos ya guardados se conservan."
    ),
    "The cluster worker running this training ended without finishing ({reason}). The last model "
    "that came back is kept.": (
        "El nodo del clúster que ejecutaba este entrenamiento terminó sin acabarlo ({reason}). Se "
        "conserva el último modelo que llegó."
    ),
    "The training process on the cluster worker ended without finishing (exit code {code}). The "
    "last model that came back is kept.": (
        "El proceso de entrenamiento en el nodo del clúster terminó sin acabar (código de salida "
        "{code}). Se conserva el último modelo que llegó."
    ),
}
