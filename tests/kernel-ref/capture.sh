#!/bin/sh
# tests/kernel-ref/capture.sh - capture the reference reports of a real i386
# kernel (`make kernel-ref`; never run by `make check`).
#
# Boots Debian's i386 PAE kernel under qemu-system-x86_64 (TCG, no KVM needed)
# with a busybox initramfs whose /init prints /proc's memory reports and the
# boot log, then powers off; once per machine (-m MEM -smp N).  What the
# comparison test (tests/test_kernel_ref.sh) reads is kept, as small text
# files, in this directory: mMEM-cN.txt, one per machine, each a series of
# "==> name <==" sections (the /proc files, then the boot log's memory lines).
#
# Needs root (apt-get) the first time: it installs qemu-system-x86 and cpio,
# adds the i386 architecture and downloads (apt-get download, not installed)
# linux-image-686-pae:i386 and busybox-static:i386 into a scratch directory.
#
# Usage: tests/kernel-ref/capture.sh [OUTDIR [WORKDIR]]
#   MACHINES="64:1 64:2 ..." overrides the list of MEM:CPUS machines.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
work=${2:-${TMPDIR:-/tmp}/kalloc-kernel-ref}
machines=${MACHINES:-"64:1 64:2 256:1 256:2 1024:1 1024:2 3072:1 3072:2 8192:1 8192:2"}
# slab_nomerge: every kmalloc cache keeps its own slabinfo line (the kernel
# otherwise merges caches of one size, and slabinfo shows only the first).
# transparent_hugepage=never: without it khugepaged raises min_free_kbytes
# (set_recommended_min_free_kbytes()) far above init_per_zone_wmark_min()'s
# value, and kalloc has no transparent huge pages.
cmdline="console=ttyS0 slab_nomerge transparent_hugepage=never panic=-1"
# qemu-system-x86_64 (TCG, its default qemu64 CPU running the 32-bit
# kernel): qemu-system-i386 7.2 boots machines whose RAM reaches above
# 4 GiB (-m 3584 and up: QEMU moves RAM past 3 GiB above 4 GiB), but their
# /init never runs (qemu32 has 32 physical address bits; with +pse36,
# pentium3 or max it hangs all the same).
qemu=${QEMU:-qemu-system-x86_64}

mkdir -p "$work" "$out"
cd "$work"

need_pkgs=
command -v "$qemu" >/dev/null || need_pkgs="$need_pkgs qemu-system-x86"
command -v cpio >/dev/null || need_pkgs="$need_pkgs cpio"
if [ -n "$need_pkgs" ]; then
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need_pkgs
fi
if ! ls linux-image-*_i386.deb >/dev/null 2>&1 || ! ls busybox-static_*_i386.deb >/dev/null 2>&1; then
	dpkg --print-foreign-architectures | grep -qx i386 || dpkg --add-architecture i386
	apt-get update -q
	apt-get download linux-image-686-pae:i386 busybox-static:i386
	# the metapackage names the versioned image: fetch that one too
	img=$(dpkg-deb -f linux-image-686-pae_*_i386.deb Depends | tr ',' '\n' |
	      sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
	apt-get download "$img:i386"
fi

rm -rf root kpkg
mkdir -p root/bin root/proc root/sys root/dev kpkg
for deb in linux-image-[0-9]*_i386.deb; do dpkg-deb -x "$deb" kpkg; done
dpkg-deb -x busybox-static_*_i386.deb kpkg
kernel=$(ls kpkg/boot/vmlinuz-* | head -n 1)
kver=${kernel##*/vmlinuz-}
cp kpkg/bin/busybox root/bin/busybox
cat >root/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
for f in buddyinfo pagetypeinfo zoneinfo slabinfo vmallocinfo meminfo; do
	echo "==> $f <=="
	cat /proc/$f
done
echo "==> sysctl <=="
for f in min_free_kbytes watermark_scale_factor lowmem_reserve_ratio percpu_pagelist_high_fraction; do
	echo "vm.$f = $(cat /proc/sys/vm/$f | tr "\t" " ")"
done
echo "==> dmesg <=="
dmesg
echo "==> end <=="
poweroff -f
INIT
chmod +x root/init
(cd root && find . | cpio -o -H newc --quiet) | gzip -9 >initrd.gz

# The boot log's lines that the comparison reads.
dmesg_filter='BIOS-e820|Zone ranges|^ *(DMA|Normal|HighMem|Movable) +(\[|empty)|Movable zone start|Early memory node ranges|^ *node +[0-9]+: \[|Initmem setup|On node 0, zone|Built [0-9]+ zonelists|Memory: |HighMem|LowMem|MAXMEM|[0-9]+MB HIGHMEM available|[0-9]+MB LOWMEM available|mapped low ram|low ram:|Virtual kernel memory layout|vmalloc :|lowmem  :|pkmap   :|fixmap  :|SLUB: |setup_percpu|Kernel command line|Linux version|e820: (update|remove)|reserve setup_data|percpu: Embedded|Dentry cache|Inode-cache|mem auto-init|Fallback order|Policy zone|Totalpages|totalpages'

{
	echo "# Reference reports of a real i386 kernel, captured by tests/kernel-ref/capture.sh."
	echo "# kernel: $kver (Debian package $(dpkg-deb -f linux-image-[0-9]*_i386.deb Package) $(dpkg-deb -f linux-image-[0-9]*_i386.deb Version))"
	echo "# busybox: $(dpkg-deb -f busybox-static_*_i386.deb Version)"
	echo "# qemu: $($qemu --version | head -n 1)"
	echo "# command: $qemu -m MEM -smp N -nographic -no-reboot -kernel vmlinuz-$kver -initrd initrd.gz -append \"$cmdline\""
} >"$out/VERSION"

for m in $machines; do
	mem=${m%%:*}
	cpus=${m##*:}
	echo "capture: -m $mem -smp $cpus"
	timeout 600 "$qemu" -m "$mem" -smp "$cpus" -nographic -no-reboot \
		-kernel "$kernel" -initrd initrd.gz -append "$cmdline" </dev/null \
		| tr -d '\r' >"raw-m$mem-c$cpus.txt" || true
	grep -q '^==> end <==' "raw-m$mem-c$cpus.txt" || {
		echo "capture: -m $mem -smp $cpus did not finish (see $work/raw-m$mem-c$cpus.txt)" >&2
		exit 1
	}
	{
		echo "# -m $mem -smp $cpus, kernel $kver, command line: $cmdline"
		# slabinfo: its two header lines and the kmalloc caches alone
		sed -n '/^==> buddyinfo <==/,/^==> dmesg <==/p' "raw-m$mem-c$cpus.txt" | sed '$d' |
			awk '/^==> /{sec=$2} sec!="slabinfo" || /^==> / || /^slabinfo - version/ || /^# name/ || /^(dma-)?kmalloc-/'
		echo "==> dmesg <=="
		sed -n '/^==> dmesg <==/,/^==> end <==/p' "raw-m$mem-c$cpus.txt" | sed '1d;$d' |
			sed 's/^\[ *[0-9.]*\] //' | grep -E "$dmesg_filter" || true
	} >"$out/m$mem-c$cpus.txt"
done
echo "capture: reference in $out"
