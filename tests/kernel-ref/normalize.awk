# tests/kernel-ref/normalize.awk - one machine's reports as "key<TAB>value"
# lines, the same keys for a kernel's capture (tests/kernel-ref/m*-c*.txt)
# and for kalloc's reports; tests/test_kernel_ref.sh compares the two.
#
# Input: "==> name <==" sections (buddyinfo, pagetypeinfo, zoneinfo,
# slabinfo, vmallocinfo, meminfo, dmesg; the boot log without its
# timestamps or "kalloc: " prefixes).  Keys (docs/fidelity.md):
#	e820				the BIOS-e820 lines, ";"-joined
#	zone_range:ZONE			the boot log's "Zone ranges:" span, or "empty"
#	zoneinfo.zones			the zones zoneinfo prints
#	zoneinfo:ZONE:FIELD		start_pfn spanned present managed min low
#					high protection pcp.high pcp.batch
#	zoneinfo.field:NAME		"yes" for each line name zoneinfo prints
#	buddyinfo.zones, buddyinfo.orders, pagetypeinfo.*	rows and columns
#	slabinfo:CACHE:FIELD		objsize objperslab pagesperslab of the
#					kmalloc caches
#	vmallocinfo.vmalloc_line	the shape of a vmalloc area's line
#	meminfo:FIELD			MemTotal LowTotal HighTotal VmallocTotal
/^==> .* <==$/ { sec = $2; zone = ""; next }
/^#/ && sec == "" { next }

function out(k, v) { print k "\t" v }
function flag(k) { if (!(k in seen)) add(k, "yes") }
function add(k, v) {
	if (k in seen)
		val[k] = val[k] ";" v
	else {
		seen[k] = 1; val[k] = v; order[++nkeys] = k
	}
}

sec == "dmesg" && /BIOS-e820: \[mem / {
	sub(/.*BIOS-e820: /, ""); add("e820", $0); next
}
sec == "dmesg" && /^Zone ranges:/ { inranges = 1; next }
sec == "dmesg" && inranges && /^  (DMA|Normal|HighMem|Movable|DMA32) / {
	if ($2 == "empty")
		add("zone_range:" $1, "empty")
	else {
		r = $0; sub(/.*\[mem /, "", r); sub(/\].*/, "", r)
		split(r, ends, "-")
		add("zone_range:" $1, (ends[1] == ends[2]) ? "empty" : r)
	}
	next
}
sec == "dmesg" && inranges { inranges = 0 }

sec == "zoneinfo" && /^Node [0-9]+, zone/ {
	zone = $4; add("zoneinfo.zones", zone); next
}
sec == "zoneinfo" && zone != "" {
	line = $0
	if (line ~ /^ +protection: /) {
		p = line; sub(/.*protection: /, "", p); gsub(/ /, "", p)
		add("zoneinfo:" zone ":protection", p); flag("zoneinfo.field:protection"); next
	}
	if (line ~ /^ +cpu: [0-9]+/) { cpu = $2; next }
	if (line ~ /^ +(high|batch): +[0-9]+/) {
		f = $1; sub(/:$/, "", f)
		if (!(("zoneinfo:" zone ":pcp." f) in seen))
			add("zoneinfo:" zone ":pcp." f, $2)
		flag("zoneinfo.field:pagesets." f)
		next
	}
	if (line ~ /^ +count: +[0-9]+/) { flag("zoneinfo.field:pagesets.count"); next }
	if (line ~ /^ +start_pfn: /) { add("zoneinfo:" zone ":start_pfn", $2); flag("zoneinfo.field:start_pfn"); next }
	if (line ~ /^  pages free /) { flag("zoneinfo.field:pages_free"); next }
	if (line ~ /^ +(min|low|high|spanned|present|managed) +[0-9]+$/) {
		add("zoneinfo:" zone ":" $1, $2); flag("zoneinfo.field:" $1); next
	}
	if (line ~ /^ +per-node stats$/) { pernode = 1; flag("zoneinfo.field:per-node_stats"); next }
	if (line ~ /^  pages free|^  pagesets$/) { pernode = 0 }
	if (line ~ /^  pagesets$/) { flag("zoneinfo.field:pagesets"); next }
	n = line; sub(/^ +/, "", n); sub(/[: ].*/, "", n)
	if (n == "") next
	if (pernode && line ~ /^      /) next	# the node's stats: one key above
	pernode = 0
	flag("zoneinfo.field:" n)
	next
}

sec == "buddyinfo" && /^Node/ {
	add("buddyinfo.zones", $4); add("buddyinfo.orders", NF - 4); next
}

sec == "pagetypeinfo" && /^Page block order:/ { add("pagetypeinfo.pageblock_order", $4); next }
sec == "pagetypeinfo" && /^Pages per block:/ { add("pagetypeinfo.pages_per_block", $4); next }
sec == "pagetypeinfo" && /^Free pages count per migrate type at order/ {
	add("pagetypeinfo.orders", NF - 8); next
}
sec == "pagetypeinfo" && /^Node +[0-9]+, zone +[A-Za-z]+, type/ {
	z = $4; sub(/,$/, "", z); add("pagetypeinfo.free_rows:" z, $6); next
}
sec == "pagetypeinfo" && /^Number of blocks type/ {
	t = ""; for (i = 5; i <= NF; i++) t = t (t == "" ? "" : ";") $i
	add("pagetypeinfo.block_types", t); next
}
sec == "pagetypeinfo" && /^Node [0-9]+, zone/ { add("pagetypeinfo.block_rows", $4 ":" (NF - 4)); next }

sec == "slabinfo" && /^(dma-)?kmalloc-[0-9]+k?[ \t]/ {
	add("slabinfo:" $1 ":objsize", $4)
	add("slabinfo:" $1 ":objperslab", $5)
	add("slabinfo:" $1 ":pagesperslab", $6)
	next
}

sec == "vmallocinfo" && / pages=[0-9]+ vmalloc/ && !("vmallocinfo.vmalloc_line" in seen) {
	s = $0
	sub(/^0x[0-9a-f()ptrval]+-0x[0-9a-f()ptrval]+ +/, "RANGE ", s)
	sub(/^RANGE [0-9]+ /, "RANGE SIZE ", s)
	sub(/^RANGE SIZE [A-Za-z0-9_.]+\+0x[0-9a-f]+\/0x[0-9a-f]+( \[[^]]*\])? /, "RANGE SIZE CALLER ", s)
	gsub(/=[0-9]+/, "=N", s)
	add("vmallocinfo.vmalloc_line", s)
	next
}

sec == "meminfo" && /^(MemTotal|LowTotal|HighTotal|VmallocTotal):/ {
	f = $1; sub(/:$/, "", f); add("meminfo:" f, $2 " " $3); next
}

END { for (i = 1; i <= nkeys; i++) out(order[i], val[order[i]]) }
