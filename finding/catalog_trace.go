package finding

// traceCatalog holds the findings of `dlvx trace --ebpf`'s prerequisite
// check (package preempttrace) that the launch doctor does not produce.
var traceCatalog = map[string]entry{
	"ENV-EBPF-KERNEL": {SevError, "the kernel cannot run the eBPF tracer",
		"dlvx trace --ebpf needs the kernel's BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF) to find a thread's TLS base, and uprobes (CONFIG_UPROBE_EVENTS) to attach."},
}
