"""Who is using a class server: identities and roles, the roster with its hashed passwords, the
signed session tokens and the sign-in throttle, and the class settings read from the environment.

Personal mode (no ``CLFCORE_AUTH``) uses none of this: one person, one workspace, no sign-in.
"""
