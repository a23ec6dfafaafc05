"""Problems registered by name: input distribution, exact ground truth, loss.

Built-in: ``eigenvalues`` (P1), ``eigenvector`` (P2), ``expm`` (P3) and
``determinant`` (P4). A problem defined elsewhere registers itself with
:func:`register_problem` when its module is imported; :func:`import_problem_modules`
imports such modules by dotted path, and installed packages can declare them in the
``aicc.problems`` entry-point group.
"""

from aicc.problems.base import Problem
from aicc.problems.registry import (
    available_problems,
    get_problem,
    import_problem_modules,
    register_problem,
)

# Importing the module registers the built-in problems.
from aicc.problems import builtin  # noqa: E402,F401  isort: skip

__all__ = [
    "Problem",
    "available_problems",
    "get_problem",
    "import_problem_modules",
    "register_problem",
]
