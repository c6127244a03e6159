package stdlib

// Constants are values from the Linux UAPI headers that scripts use after
// an #include: gbt reads no C headers, so it carries the common ones. The
// checker accepts these names only in scripts that have an #include line,
// as bpftrace does; codegen takes their values from here.
var Constants = map[string]int64{
	// <linux/fcntl.h>, <asm-generic/fcntl.h>
	"O_RDONLY": 0, "O_WRONLY": 1, "O_RDWR": 2, "O_ACCMODE": 3, "O_CREAT": 0100, "O_EXCL": 0200,
	"O_NOCTTY": 0400, "O_TRUNC": 01000, "O_APPEND": 02000, "O_NONBLOCK": 04000, "O_DSYNC": 010000,
	"O_DIRECT": 040000, "O_LARGEFILE": 0100000, "O_DIRECTORY": 0200000, "O_NOFOLLOW": 0400000,
	"O_NOATIME": 01000000, "O_CLOEXEC": 02000000, "O_SYNC": 04010000, "O_PATH": 010000000,
	"O_TMPFILE": 020200000, "AT_FDCWD": -100, "AT_SYMLINK_NOFOLLOW": 0x100, "AT_REMOVEDIR": 0x200,
	"AT_EMPTY_PATH": 0x1000,
	// <linux/openat2.h>
	"RESOLVE_NO_XDEV": 0x01, "RESOLVE_NO_MAGICLINKS": 0x02, "RESOLVE_NO_SYMLINKS": 0x04,
	"RESOLVE_BENEATH": 0x08, "RESOLVE_IN_ROOT": 0x10, "RESOLVE_CACHED": 0x20,
	// <linux/socket.h>, <linux/in.h>
	"AF_UNSPEC": 0, "AF_UNIX": 1, "AF_LOCAL": 1, "AF_INET": 2, "AF_INET6": 10, "AF_NETLINK": 16, "AF_PACKET": 17,
	"SOCK_STREAM": 1, "SOCK_DGRAM": 2, "SOCK_RAW": 3, "IPPROTO_TCP": 6, "IPPROTO_UDP": 17,
	// <net/tcp_states.h>
	"TCP_ESTABLISHED": 1, "TCP_SYN_SENT": 2, "TCP_SYN_RECV": 3, "TCP_FIN_WAIT1": 4, "TCP_FIN_WAIT2": 5,
	"TCP_TIME_WAIT": 6, "TCP_CLOSE": 7, "TCP_CLOSE_WAIT": 8, "TCP_LAST_ACK": 9, "TCP_LISTEN": 10,
	"TCP_CLOSING": 11, "TCP_NEW_SYN_RECV": 12,
	// <linux/mman.h>
	"PROT_NONE": 0, "PROT_READ": 1, "PROT_WRITE": 2, "PROT_EXEC": 4,
	"MAP_SHARED": 0x01, "MAP_PRIVATE": 0x02, "MAP_FIXED": 0x10, "MAP_ANONYMOUS": 0x20,
	// <linux/sched.h>
	"CLONE_VM": 0x100, "CLONE_FS": 0x200, "CLONE_FILES": 0x400, "CLONE_SIGHAND": 0x800,
	"CLONE_THREAD": 0x10000, "CLONE_NEWNS": 0x20000, "CLONE_NEWPID": 0x20000000,
	"TASK_RUNNING": 0, "TASK_INTERRUPTIBLE": 1, "TASK_UNINTERRUPTIBLE": 2,
	// <asm-generic/errno-base.h>
	"EPERM": 1, "ENOENT": 2, "ESRCH": 3, "EINTR": 4, "EIO": 5, "ENXIO": 6, "E2BIG": 7, "ENOEXEC": 8,
	"EBADF": 9, "ECHILD": 10, "EAGAIN": 11, "ENOMEM": 12, "EACCES": 13, "EFAULT": 14, "EBUSY": 16,
	"EEXIST": 17, "EXDEV": 18, "ENODEV": 19, "ENOTDIR": 20, "EISDIR": 21, "EINVAL": 22, "ENFILE": 23,
	"EMFILE": 24, "ENOTTY": 25, "EFBIG": 27, "ENOSPC": 28, "ESPIPE": 29, "EROFS": 30, "EMLINK": 31,
	"EPIPE": 32, "ERANGE": 34, "ENOSYS": 38, "ETIMEDOUT": 110, "ECONNREFUSED": 111,
	// <linux/signal.h>
	"SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGKILL": 9, "SIGUSR1": 10, "SIGSEGV": 11, "SIGUSR2": 12,
	"SIGPIPE": 13, "SIGALRM": 14, "SIGTERM": 15, "SIGCHLD": 17, "SIGCONT": 18, "SIGSTOP": 19,
}
