// preempt.c: the BPF program of `dlvx trace --ebpf` (package preempttrace).
// One uprobe at the traced address; per hit it reads the goroutine from the
// thread's TLS (as Delve's eBPF tracer does), drops goroutines the filter
// does not list, and sends goroutine, thread, time and the event's PC to
// user space. At runtime.asyncPreempt's entry on amd64 that PC is the
// preempted one, which the signal handler pushed at 0(SP).
//
// Self-contained: no kernel or libbpf headers, so the generator needs only
// clang. Regenerate with `make bpf` (see bpf.go).

typedef unsigned char __u8;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef long long __s64;

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

// The uapi struct pt_regs of x86_64 (asm/ptrace.h): a uprobe's context.
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

// Helper IDs of include/uapi/linux/bpf.h.
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static __u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static __u64 (*bpf_get_current_pid_tgid)(void) = (void *)14;
static __u64 (*bpf_get_current_task)(void) = (void *)35;
static long (*bpf_probe_read_user)(void *dst, __u32 size, const void *src) = (void *)112;
static long (*bpf_probe_read_kernel)(void *dst, __u32 size, const void *src) = (void *)113;
static void *(*bpf_ringbuf_reserve)(void *ringbuf, __u64 size, __u64 flags) = (void *)131;
static void (*bpf_ringbuf_submit)(void *data, __u64 flags) = (void *)132;

#define MAX_GOIDS 8
#define PC_AT_SP 1

// config is written by user space before the target runs.
struct config {
	__u64 tgid;       // the traced process; 0 drops every event
	__s64 fsbase_off; // offset of thread.fsbase in the kernel's task_struct
	__s64 g_tls_off;  // offset of the g pointer from the thread's fs base
	__u64 goid_off;   // offset of goid in runtime.g
	__u32 pc_mode;    // PC_AT_SP: the event's PC is at 0(SP); else the IP
	__u32 n_goids;    // goroutine filter; 0 keeps every goroutine
	__s64 goids[MAX_GOIDS];
};

struct event {
	__u64 time_ns; // CLOCK_MONOTONIC
	__s64 goid;
	__u64 pc;
	__u32 tid;
	__u32 pad;
};

struct {
	__uint(type, 2); // BPF_MAP_TYPE_ARRAY
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct config);
} config SEC(".maps");

// counters: 0 events lost to a full ring buffer, 1 events the goroutine
// filter dropped.
struct {
	__uint(type, 2);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, 27); // BPF_MAP_TYPE_RINGBUF
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

static __attribute__((always_inline)) void count(__u32 which) {
	__u64 *n = bpf_map_lookup_elem(&counters, &which);
	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("uprobe")
int preempt_event(struct pt_regs *ctx) {
	__u32 zero = 0;
	struct config *c = bpf_map_lookup_elem(&config, &zero);
	if (!c)
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	if (c->tgid == 0 || (id >> 32) != c->tgid)
		return 0;
	__u64 fsbase = 0, g = 0;
	__s64 goid = 0;
	bpf_probe_read_kernel(&fsbase, sizeof(fsbase), (void *)(bpf_get_current_task() + c->fsbase_off));
	bpf_probe_read_user(&g, sizeof(g), (void *)(fsbase + c->g_tls_off));
	if (g)
		bpf_probe_read_user(&goid, sizeof(goid), (void *)(g + c->goid_off));
	if (c->n_goids) {
		int keep = 0;
		for (int i = 0; i < MAX_GOIDS; i++)
			if (i < c->n_goids && c->goids[i] == goid)
				keep = 1;
		if (!keep) {
			count(1);
			return 0;
		}
	}
	__u64 pc = ctx->ip;
	if (c->pc_mode == PC_AT_SP)
		bpf_probe_read_user(&pc, sizeof(pc), (void *)ctx->sp);
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(0);
		return 0;
	}
	e->time_ns = bpf_ktime_get_ns();
	e->goid = goid;
	e->pc = pc;
	e->tid = (__u32)id;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
