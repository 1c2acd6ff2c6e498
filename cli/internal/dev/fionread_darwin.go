package dev

// fionread asks how many bytes a pipe holds unread: FIONREAD, which
// x/sys/unix does not name on darwin (_IOR('f', 127, int) in sys/filio.h).
const fionread = 0x4004667f
