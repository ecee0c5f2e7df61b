"""The tuner's pure maths: temperaments, Scala scales, instrument strings, needle, strobe, lock.

Nothing here touches audio devices, TensorFlow or Qt: the terminal tuner (`pitchlive tune`) and
the window's tuner view both read a stream of frequencies through :mod:`pitchlive.tuner.meter`.
"""
