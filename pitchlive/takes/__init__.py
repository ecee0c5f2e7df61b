"""Takes: recording what the engine hears (audio and pitch), saving it, recovering it after a crash.

recorder (TakeRecorder), spool (Take, the spool and its frames), save (save_take), names (safe
take names, SaveTarget), recovery (find_unsaved_takes, recover_take).
"""

from pitchlive.takes.names import SaveTarget, safe_take_name, split_target
from pitchlive.takes.recorder import TakeRecorder
from pitchlive.takes.recovery import find_unsaved_takes, recover_take
from pitchlive.takes.save import SavedTake, save_take
from pitchlive.takes.spool import (
    STEM_FORMAT,
    Take,
    TakeError,
    default_spool_dir,
    discard_spool,
    frames_path,
)

__all__ = ["STEM_FORMAT", "SaveTarget", "SavedTake", "Take", "TakeError", "TakeRecorder",
           "default_spool_dir", "discard_spool", "find_unsaved_takes", "frames_path",
           "recover_take", "safe_take_name", "save_take", "split_target"]
