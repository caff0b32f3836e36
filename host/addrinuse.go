package host

import "syscall"

var errAddrInUse = syscall.EADDRINUSE
