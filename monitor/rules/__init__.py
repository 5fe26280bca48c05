"""The rules engine: 序时进度, 红黄绿灯 and the inspection's problem flags, as data plus one function each."""
