"""The class server's identities, settings, roster, sign-in tokens and throttle
(clfcore.accounts)."""

import json
import stat
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from clfcore.accounts import identity, roster, sessions
from clfcore.accounts.identity import User
from clfcore.accounts.settings import ClassSettings
from clfcore.accounts.throttle import SignInThrottle
from clfcore.errors import UserInputError

# --- identity -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [("ana", "ana"), ("  Ana.Garcia ", "ana.garcia"), ("B-2_x", "b-2_x"), ("7", "7")],
)
def test_a_roster_name_is_trimmed_and_lower_cased(typed, name):
    assert identity.check_name(typed) == name
    assert identity.is_valid_name(name) and (typed == name or not identity.is_valid_name(typed))


@pytest.mark.parametrize(
    "bad", ["", "   ", "..", "a..b", "../ana", "ana/ben", "a\\b", ".ana", "-ana", "a" * 33, "añа"]
)
def test_a_name_that_cannot_be_a_folder_is_refused(bad):
    with pytest.raises(UserInputError, match="cannot be a user name"):
        identity.check_name(bad)
    assert not identity.is_valid_name(bad)


def test_an_email_names_a_workspace_lower_cased():
    assert identity.name_for_email(" Ana.Garcia+ml@School.EDU ") == "ana.garcia+ml@school.edu"
    assert identity.is_valid_name("ana@school.edu") and not identity.is_valid_name("Ana@school.edu")
    for bad in ("ana", "ana@", "@school.edu", "a..b@school.edu", "ana@school/../x", "a b@x.edu"):
        with pytest.raises(UserInputError, match="cannot name a workspace"):
            identity.name_for_email(bad)


def test_roles():
    assert identity.check_role("teacher") == "teacher"
    with pytest.raises(UserInputError, match="Unknown role 'admin'"):
        identity.check_role("admin")
    assert User("t", "teacher").is_teacher and not User("s").is_teacher
    assert (
        User("ana", display_name="Ana García").label == "Ana García" and User("ana").label == "ana"
    )


# --- settings -------------------------------------------------------------------------------------


def test_no_configuration_is_personal_mode():
    settings = ClassSettings.from_env({})
    assert settings == ClassSettings() and not settings.is_class
    assert settings.quota_bytes == 2 * 10**9 and settings.session_seconds == 12 * 3600


def test_class_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("CLFCORE_AUTH", " OIDC ")
    monkeypatch.setenv("CLFCORE_TEACHERS", "Eva@School.edu, ,luis@school.edu")
    monkeypatch.setenv("CLFCORE_QUOTA_GB", "0.5")
    monkeypatch.setenv("CLFCORE_SESSION_HOURS", "1.5")
    settings = ClassSettings.from_env()
    assert settings.auth == "oidc" and settings.is_class
    assert settings.teachers == {"eva@school.edu", "luis@school.edu"}
    assert (settings.quota_bytes, settings.session_seconds) == (500_000_000, 5400)
    assert ClassSettings.from_env({"CLFCORE_AUTH": "roster", "CLFCORE_QUOTA_GB": " "}).quota_bytes
    assert ClassSettings.from_env({"CLFCORE_AUTH": ""}).auth == "none"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CLFCORE_AUTH", "ldap", "is not a sign-in mode"),
        ("CLFCORE_QUOTA_GB", "two", "must be a positive number"),
        ("CLFCORE_QUOTA_GB", "0", "must be a positive number"),
        ("CLFCORE_QUOTA_GB", "-1", "must be a positive number"),
        ("CLFCORE_QUOTA_GB", "nan", "must be a positive number"),
        ("CLFCORE_QUOTA_GB", "inf", "must be a positive number"),  # was an OverflowError
        ("CLFCORE_SESSION_HOURS", "12h", "must be a positive number"),
    ],
)
def test_bad_settings_say_which_variable(variable, value, message):
    with pytest.raises(UserInputError, match=message) as caught:
        ClassSettings.from_env({variable: value})
    assert variable in str(caught.value)


# --- roster ---------------------------------------------------------------------------------------


def test_the_roster_adds_lists_resets_and_removes(isolated_roots):
    assert roster.list_users() == []
    assert roster.add_user("Ana", "s3cret pass", role="student") == User("ana", "student")
    assert roster.add_user("eva", "other", role="teacher") == User("eva", "teacher")
    assert roster.list_users() == [User("ana", "student"), User("eva", "teacher")]
    assert roster.verify("ana", "s3cret pass") == User("ana", "student")
    assert roster.verify(" ANA ", "s3cret pass") == User("ana", "student")
    assert roster.verify("ana", "s3cret") is None and roster.verify("ana", "") is None
    assert roster.verify("nobody", "s3cret pass") is None and roster.verify("../x", "x") is None
    assert roster.reset_password("ana", "new one") == User("ana", "student")
    assert roster.verify("ana", "s3cret pass") is None and roster.verify("ana", "new one")
    assert roster.remove_user("ana") == User("ana", "student")
    assert (
        roster.list_users() == [User("eva", "teacher")] and roster.verify("ana", "new one") is None
    )
    assert roster.require_user("EVA") == User("eva", "teacher")


def test_the_roster_file_is_private_and_holds_no_password(isolated_roots):
    roster.add_user("ana", "correct horse battery", role="student")
    path = roster.roster_path()
    assert path.parent == isolated_roots["data"] / ".class"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text()
    assert "correct horse battery" not in text and "horse" not in text
    assert json.loads(text)["users"]["ana"]["hash"].startswith("$argon2id$")


def test_roster_mistakes_are_clear(isolated_roots):
    roster.add_user("ana", "pw")
    for call, message in (
        (lambda: roster.add_user("ANA", "pw2"), "already on the roster"),
        (lambda: roster.check_new_name("ana"), "already on the roster"),
        (lambda: roster.add_user("ben", ""), "The password is empty"),
        (lambda: roster.add_user("ben", "pw", role="admin"), "Unknown role"),
        (lambda: roster.add_user("../ben", "pw"), "cannot be a user name"),
        (lambda: roster.reset_password("ben", "pw"), "There is no user 'ben'"),
        (lambda: roster.reset_password("ana", ""), "The password is empty"),
        (lambda: roster.remove_user("ben"), "There is no user 'ben'"),
        (lambda: roster.require_user("ben"), "There is no user 'ben'"),
    ):
        with pytest.raises(UserInputError, match=message):
            call()
    assert roster.list_users() == [User("ana")] and roster.verify("ana", "pw")


def test_a_corrupt_roster_says_how_to_recover(isolated_roots):
    roster.roster_path().parent.mkdir(parents=True)
    roster.roster_path().write_text("{not json")
    with pytest.raises(UserInputError, match="cannot be read"):
        roster.list_users()


# --- sessions -------------------------------------------------------------------------------------

HOUR = 3600


def test_a_token_signs_in_its_user_until_it_expires(isolated_roots):
    ana = roster.add_user("ana", "pw")
    token = sessions.issue(ana)
    assert sessions.verify(token, max_age_seconds=HOUR) == ana
    assert sessions.verify(None, max_age_seconds=HOUR) is None
    assert sessions.verify("", max_age_seconds=HOUR) is None
    # the key stays private and the same across calls
    key = isolated_roots["data"] / ".class" / "session.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert sessions.verify(sessions.issue(ana), max_age_seconds=HOUR) == ana


def test_an_old_token_has_expired(isolated_roots):
    ana = roster.add_user("ana", "pw")

    class TwoHoursAgo(TimestampSigner):  # a token signed with this server's key two hours ago
        def get_timestamp(self) -> int:
            return int(time.time()) - 2 * HOUR

    signed_then = URLSafeTimedSerializer(sessions._key(), salt=sessions._SALT, signer=TwoHoursAgo)
    _, generation = roster.lookup("ana")
    old = signed_then.dumps({"user": "ana", "role": "student", "generation": generation})
    assert sessions.verify(old, max_age_seconds=HOUR) is None
    assert sessions.verify(old, max_age_seconds=3 * HOUR) == ana  # the same token, still young


def test_a_tampered_or_foreign_token_is_refused(isolated_roots):
    roster.add_user("ana", "pw")
    eva = roster.add_user("eva", "pw", role="teacher")
    token = sessions.issue(User("ana"))
    payload, _, signature = token.rpartition(".")
    forged = payload.replace(payload[:4], payload[:4][::-1]) + "." + signature
    assert sessions.verify(forged, max_age_seconds=HOUR) is None
    assert sessions.verify(token[:-2], max_age_seconds=HOUR) is None
    assert sessions.verify("not-a-token", max_age_seconds=HOUR) is None
    # signed with another key: someone who made a cookie for the teacher
    other = URLSafeTimedSerializer("a guessed key", salt=sessions._SALT)
    made_up = other.dumps({"user": "eva", "role": "teacher", "generation": 1})
    assert sessions.verify(made_up, max_age_seconds=HOUR) is None
    assert sessions.verify(sessions.issue(eva), max_age_seconds=HOUR) == eva


def test_a_reset_or_a_removal_ends_the_sessions(isolated_roots):
    ana, ben = roster.add_user("ana", "pw"), roster.add_user("ben", "pw")
    ana_token, ben_token = sessions.issue(ana), sessions.issue(ben)
    roster.reset_password("ana", "new")
    assert sessions.verify(ana_token, max_age_seconds=HOUR) is None
    assert sessions.verify(sessions.issue(ana), max_age_seconds=HOUR) == ana
    roster.remove_user("ben")
    assert sessions.verify(ben_token, max_age_seconds=HOUR) is None
    # another person added under the same name: the earlier account's cookie does not sign in
    roster.add_user("ben", "pw")
    assert sessions.verify(ben_token, max_age_seconds=HOUR) is None


def test_a_role_change_ends_the_sessions(isolated_roots):
    roster.add_user("ana", "pw", role="teacher")
    token = sessions.issue(User("ana", "teacher"))
    # the generation is the same, only the role differs: a teacher token for a student
    data = json.loads(roster.roster_path().read_text())
    data["users"]["ana"]["role"] = "student"
    roster.roster_path().write_text(json.dumps(data))
    assert sessions.verify(token, max_age_seconds=HOUR) is None


# --- throttle -------------------------------------------------------------------------------------


def test_the_throttle_counts_wrong_passwords_per_name():
    now = [1000.0]
    throttle = SignInThrottle(max_failures=3, window_seconds=60, clock=lambda: now[0])
    for _ in range(2):
        throttle.failed("Ana")
    assert throttle.wait_seconds("ana") == 0  # two of three
    now[0] += 10
    throttle.failed(" ana ")
    assert throttle.wait_seconds("ana") == 50 and throttle.wait_seconds("ben") == 0
    now[0] += 45
    assert throttle.wait_seconds("ANA") == 5
    now[0] += 6  # the first two failures left the window
    assert throttle.wait_seconds("ana") == 0
    throttle.failed("ana")
    throttle.failed("ana")
    assert (
        throttle.wait_seconds("ana") == 9
    )  # the oldest of the last three, at 1010, leaves at 1070
    throttle.succeeded("Ana")
    assert throttle.wait_seconds("ana") == 0


def test_checking_names_that_never_failed_keeps_no_memory():
    throttle = SignInThrottle(max_failures=2, window_seconds=60)
    for number in range(1000):
        assert throttle.wait_seconds(f"made-up-{number}") == 0
    throttle.failed("ana")
    assert list(throttle._failures) == ["ana"]


def test_importing_the_roster_hashes_nothing():
    # an Argon2id hash costs a quarter of a second: every command and training process imports
    # the roster
    import subprocess
    import sys

    code = (
        "import argon2\n"
        "def refuse(*args, **kwargs):\n"
        "    raise SystemExit('a password was hashed on import')\n"
        "argon2.PasswordHasher.hash = refuse\n"
        "import clfcore.accounts.roster\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
