"""Exercise self-checks: ``check.exercise_1_2(answer)`` says at once what is right or wrong, and why.

Each lesson's checks live in their own module (``lesson01.py``…) and are re-exported here, so a
notebook only needs ``from helpers import check``. Every check prints its verdict and returns it
(True when right), so a solutions notebook can ``assert check.exercise_1_2(answer)``.
"""

from __future__ import annotations

from helpers.check.base import Verdict, verdict  # noqa: F401
from helpers.check.lesson00 import *  # noqa: F403
from helpers.check.lesson01 import *  # noqa: F403
from helpers.check.lesson02 import *  # noqa: F403
from helpers.check.lesson03 import *  # noqa: F403
from helpers.check.lesson04 import *  # noqa: F403
from helpers.check.lesson05 import *  # noqa: F403
from helpers.check.lesson06 import *  # noqa: F403
from helpers.check.lesson07 import *  # noqa: F403
from helpers.check.lesson08 import *  # noqa: F403
from helpers.check.lesson09 import *  # noqa: F403
