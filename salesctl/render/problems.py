"""Problems as every command prints them: text lines, or the JSON document of `validate`.

Two reporters with one interface, as check-jsonschema's `TextReporter` and `JsonReporter`:
`report(problems, files)` is what `validate` prints. `TextReporter().lines(problems)` is what every
other command prints on stderr: a writer's refusal and warnings, a draft of a contract with errors,
`--strict`.
"""

from __future__ import annotations

from ..model.problems import count
from .locale import plural
from .output import to_json


def summary(errors: int, warnings: int, files: int) -> str:
    """`1 error, 0 warnings in 12 files`: the last line of validate, and what doctor says of the records."""
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(files, 'file')}"


class TextReporter:
    """One line per problem, PATH:LINE:COL: SEVERITY[CODE]: MESSAGE, then a count."""

    def lines(self, problems) -> str:
        return "".join(p.format() + "\n" for p in problems)

    def report(self, problems, files: int) -> str:
        errors, warnings = count(problems)
        return self.lines(problems) + f"{summary(errors, warnings, files)}\n"


class JsonReporter:
    """{problems: [{path, line, column, severity, code, message}], errors, warnings, files}."""

    def report(self, problems, files: int) -> str:
        errors, warnings = count(problems)
        return to_json({"problems": [p.as_dict() for p in problems], "errors": errors, "warnings": warnings,
                        "files": files})


REPORTERS = {"text": TextReporter(), "json": JsonReporter()}
