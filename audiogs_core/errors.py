"""The one exception type the command line turns into a one-line error."""


class AudioGSError(Exception):
    """A user-facing problem: bad input, a missing file, a refused operation.

    The message must name what is wrong (the key, the file, the value) so the
    command line can print it as a single line without a traceback.
    """
