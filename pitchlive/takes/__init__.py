"""Takes: recording what the engine hears (audio and pitch), saving it, recovering it after a crash.

recorder (TakeRecorder), spool (Take, the spool and its frames), save (save_take), recovery
(find_unsaved_takes, recover_take).
"""

from pitchlive.takes.recorder import TakeRecorder
from pitchlive.takes.recovery import find_unsaved_takes, recover_take
from pitchlive.takes.save import SavedTake, save_take
from pitchlive.takes.spool import Take, TakeError, default_spool_dir, frames_path

__all__ = ["SavedTake", "Take", "TakeError", "TakeRecorder", "default_spool_dir",
           "find_unsaved_takes", "frames_path", "recover_take", "save_take"]
