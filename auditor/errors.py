"""The one exception type for errors a user can fix, mapped to exit code 2."""

from __future__ import annotations


class UserError(Exception):
    """An error in the user's input: a policy, an option or a file.

    The message names the file and the place in it, and says what to do next.
    The CLI prints it and exits with code 2; nothing is judged after it.
    """
