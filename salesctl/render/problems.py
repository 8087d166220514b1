"""Problems as every command prints them: text lines, or the JSON document of `validate`.

Two reporters with one interface, as check-jsonschema's `TextReporter` and `JsonReporter`:
`report(problems, files)` is what `validate` prints. `TextReporter().lines(problems)` is what every
other command prints on stderr: a writer's refusal and warnings, a draft of a contract with errors,
`--strict`.
"""

from __future__ import annotations

from ..model.problems import count
from .output import to_json


class TextReporter:
    """One line per problem, PATH:LINE:COL: SEVERITY[CODE]: MESSAGE, then a count."""

    def lines(self, problems) -> str:
        return "".join(p.format() + "\n" for p in problems)

    def report(self, problems, files: int) -> str:
        errors, warnings = count(problems)
        return self.lines(problems) + f"{errors} errors, {warnings} warnings in {files} files\n"


class JsonReporter:
    """{problems: [{path, line, column, severity, code, message}], errors, warnings, files}."""

    def report(self, problems, files: int) -> str:
        errors, warnings = count(problems)
        return to_json({"problems": [p.as_dict() for p in problems], "errors": errors, "warnings": warnings,
                        "files": files})


REPORTERS = {"text": TextReporter(), "json": JsonReporter()}
