#!/usr/bin/env bash
# Regenerate the kernel MPTCP captures of captures/kernel/ (run as root).
#
# Each scenario makes its own two network namespaces joined by two veth paths
# (10.99.1.0/24 and 10.99.2.0/24, fd99:1::/64 and fd99:2::/64, inside the namespaces only),
# runs mptcp_peer.py as server and client, captures in the server's namespace with tcpdump
# and removes everything it made. Offloads are off so frames are real-sized with valid
# checksums. Traffic never leaves the namespaces; every wait is bounded.
# Scenarios that record their payloads also write <scenario>.pcap.sha256: what each side's
# application wrote ("client-to-server <sha256> <bytes>", "server-to-client ...").
#
# usage: sudo captures/kernel/generate.sh [scenario...]   (default: all)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
peer="$here/mptcp_peer.py"
port=47002
prefix="mptcpv-gen-$$"
nc="$prefix-c"
ns="$prefix-s"
pids=()
capture_pid=
work=

for tool in ip tc nft tcpdump ethtool python3; do
    command -v "$tool" >/dev/null || { echo "generate.sh: $tool is needed" >&2; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "generate.sh: run as root (network namespaces)" >&2; exit 1; }

cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    ip netns del "$nc" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
}
trap 'cleanup; [[ -z $work ]] || rm -rf "$work"' EXIT
work=$(mktemp -d)

setup() {
    local checksum=$1
    cleanup
    pids=()
    ip netns add "$nc"
    ip netns add "$ns"
    for i in 0 1; do
        ip link add "c$i" netns "$nc" type veth peer name "s$i" netns "$ns"
        ip -n "$nc" addr add "10.99.$((i + 1)).1/24" dev "c$i"
        ip -n "$ns" addr add "10.99.$((i + 1)).2/24" dev "s$i"
        ip -n "$nc" addr add "fd99:$((i + 1))::1/64" dev "c$i" nodad
        ip -n "$ns" addr add "fd99:$((i + 1))::2/64" dev "s$i" nodad
        for n in "$nc:c$i" "$ns:s$i"; do
            ip netns exec "${n%%:*}" ethtool -K "${n##*:}" tso off gso off gro off tx off rx off \
                >/dev/null 2>&1 || true
            ip -n "${n%%:*}" link set "${n##*:}" up
        done
    done
    ip -n "$nc" link set lo up
    ip -n "$ns" link set lo up
    for n in "$nc" "$ns"; do
        ip netns exec "$n" sysctl -q -w net.mptcp.enabled=1
        ip netns exec "$n" sysctl -q -w net.mptcp.checksum_enabled="$checksum"
        ip -n "$n" mptcp limits set subflows 4 add_addr_accepted 4
    done
}

start_capture() {
    local file=$1
    ip netns exec "$ns" tcpdump -U -s 0 -i any -w "$file" "tcp port $port" 2>/dev/null &
    capture_pid=$!
    pids+=($!)
    sleep 1
}

stop_capture() {
    sleep 1
    kill "$capture_pid" 2>/dev/null || true
    wait "$capture_pid" 2>/dev/null || true
}

# at_mark SECONDS COMMAND...: in the background, once the client has created $work/mark
# (mptcp_peer.py --touch, after a given number of bytes) and SECONDS more have passed, run
# COMMAND. Bounded: gives up waiting for the mark after 10 s.
at_mark() {
    local delay=$1
    shift
    (
        for _ in $(seq 1000); do [[ -e $work/mark ]] && break; sleep 0.01; done
        sleep "$delay"
        "$@"
    ) &
    pids+=($!)
}

# lose_path IFACE SECONDS: once the client has created $work/mark, drop every TCP segment
# arriving on the server's interface IFACE for SECONDS, then let them through again. No
# netem and no gact (action drop) in this kernel: the ingress qdisc's u32 filter redirects
# them (mirred) to a veth that is down, and mirred drops what it cannot send there. tcpdump
# sees a frame before the ingress qdisc does, so the capture holds the lost originals as
# well as what replaces them (TCP retransmissions, reinjections on the other subflow).
lose_path() {
    local dev=$1 seconds=$2
    ip -n "$ns" link add bh0 type veth peer name bh1  # both ends stay down
    tc -n "$ns" qdisc add dev "$dev" ingress
    at_mark 0 tc -n "$ns" filter add dev "$dev" parent ffff: protocol ip prio 1 u32 \
        match ip protocol 6 0xff action mirred egress redirect dev bh0
    at_mark "$seconds" tc -n "$ns" filter del dev "$dev" parent ffff: prio 1
}

# check_record FILE: both sides agree on what was written; write it to FILE (the capture's
# .sha256 sidecar).
check_record() {
    local out=$1 dir
    for dir in client-to-server server-to-client; do
        local wrote read
        wrote=$(awk -v d=$dir '$1 == "wrote" && $2 == d {print $3, $4}' "$work/record")
        read=$(awk -v d=$dir '$1 == "read" && $2 == d {print $3, $4}' "$work/record")
        if [[ -z $wrote || $wrote != "$read" ]]; then
            echo "generate.sh: $dir: wrote '$wrote', read '$read'" >&2
            exit 1
        fi
        echo "$dir $wrote"
    done >"$out.tmp"
    mv "$out.tmp" "$out"
}

# corrupt_once IFACE N: overwrite 4 payload bytes of the Nth client data segment of over
# 1000 bytes leaving through IFACE (nftables, output hook of the client's namespace; only
# that one segment). This kernel has no tc pedit; nft payload statements work.
corrupt_once() {
    local dev=$1 nth=$2
    ip netns exec "$nc" nft -f - <<EOF
table inet mptcpv_corrupt {
    chain out {
        type filter hook output priority 0;
        oifname "$dev" tcp dport $port meta length > 1000 numgen inc mod 1000000 == $nth @th,768,32 set 0x55aa55aa
    }
}
EOF
}

# run SERVER_ARGS -- CLIENT_ARGS: a server and a client, both bounded by timeouts.
run() {
    local server_args=() client_args=()
    while [[ $1 != -- ]]; do server_args+=("$1"); shift; done
    shift
    client_args=("$@")
    ip netns exec "$ns" timeout 300 python3 "$peer" server "${server_args[@]}" &
    local server=$!
    sleep 0.5
    ip netns exec "$nc" timeout 300 python3 "$peer" client "${client_args[@]}"
    wait "$server" || true
}

# run_recorded ...: run, with both peers recording what they wrote and read.
run_recorded() {
    rm -f "$work/record" "$work/mark"
    local args=() a
    for a in "$@"; do
        [[ $a == -- ]] && args+=(--record "$work/record")
        args+=("$a")
    done
    run "${args[@]}" --record "$work/record"
}

scenario() {
    local name=${1/#ipv6-join/v1-ipv6-join}
    local out="${MPTCPV_OUT_DIR:-$here}/$name.pcap"
    local sums="$out.sha256"
    echo "== $name" >&2
    case "$name" in
    v1-basic)
        setup 0
        start_capture "$out"
        run 10.99.1.2 "$port" -- 10.99.1.2 "$port" --size 20000
        ;;
    v1-checksum)
        setup 1
        start_capture "$out"
        run 10.99.1.2 "$port" -- 10.99.1.2 "$port" --size 60000
        ;;
    v1-join)
        # Checksums; the client's 'subflow' endpoint 10.99.2.1 joins the connection's
        # destination 10.99.1.2 through c1. Path 1 limited to 20 Mbit/s on the client's
        # egress (tbf) and 64 KiB writes without pause, so the scheduler sends data on the
        # join too (with both paths unlimited it kept every segment on the initial subflow).
        setup 1
        ip -n "$nc" mptcp endpoint add 10.99.2.1 dev c1 subflow
        tc -n "$nc" qdisc add dev c0 root tbf rate 20mbit burst 16kb latency 100ms
        start_capture "$out"
        run_recorded 10.99.1.2 "$port" -- 10.99.1.2 "$port" --size 150000 --chunk 65536 \
            --pause 0
        ;;
    v1-add-remove-addr)
        # The server announces 10.99.2.2 (a 'signal' endpoint: ADD_ADDR with HMAC, echoed);
        # the client, with no endpoint of its own, joins from 10.99.2.1 to 10.99.2.2. The
        # server listens on 0.0.0.0 so that the join finds the listener (bound to 10.99.1.2
        # only, the join SYN was answered by a RST). Path 1 is limited (tbf) and the first
        # write is 128 KiB (the scheduler sends at most a 64 KiB burst on one subflow before
        # choosing again), so both subflows carry it. 0.1 s after it the server's endpoint
        # is deleted: REMOVE_ADDR, and the kernel closes the joined subflow; after the
        # pause the rest goes over the initial subflow, DATA_FIN both ways.
        setup 0
        ip -n "$ns" mptcp endpoint add 10.99.2.2 dev s1 signal
        tc -n "$nc" qdisc add dev c0 root tbf rate 20mbit burst 16kb latency 100ms
        at_mark 0.1 ip -n "$ns" mptcp endpoint delete id 1
        start_capture "$out"
        run_recorded 0.0.0.0 "$port" -- 10.99.1.2 "$port" --size 200000 --chunk 131072 \
            --pause 0.3 --touch "$work/mark" --touch-after 131072
        ;;
    v1-backup-prio)
        # A 'subflow backup' endpoint: the join's SYN carries the B flag. Once 40000 bytes
        # are written the endpoint is changed to nobackup and 1 s later back to backup: the
        # client sends MP_PRIO (B clear, then B set) on the joined subflow, whose local
        # address is the endpoint's.
        setup 0
        ip -n "$nc" mptcp endpoint add 10.99.2.1 dev c1 subflow backup
        at_mark 0 ip -n "$nc" mptcp endpoint change 10.99.2.1 nobackup
        at_mark 1 ip -n "$nc" mptcp endpoint change id 1 backup
        start_capture "$out"
        run_recorded 10.99.1.2 "$port" -- 10.99.1.2 "$port" --size 150000 --pause 0.08 \
            --touch "$work/mark" --touch-after 40000
        ;;
    v1-fastclose)
        setup 0
        ip -n "$nc" mptcp endpoint add 10.99.2.1 dev c1 subflow
        start_capture "$out"
        run 10.99.1.2 "$port" -- 10.99.1.2 "$port" --size 100000 --pause 0.02 --abort
        ;;
    v1-fallback)
        setup 0
        start_capture "$out"
        run 10.99.1.2 "$port" --plain -- 10.99.1.2 "$port" --size 20000
        ;;
    v1-ipv6)
        setup 1
        start_capture "$out"
        run fd99:1::2 "$port" -- fd99:1::2 "$port" --size 100000 --pause 0.02
        ;;
    v1-ipv6-join)
        # IPv6 on both paths, checksums. The server announces its second address fd99:2::2
        # (a 'signal' endpoint: ADD_ADDR over IPv6 with HMAC); the client, which has no
        # endpoint of its own, accepts it and joins from fd99:2::1 (its address on that
        # path, picked by routing): the second subflow runs entirely over path 2. The
        # server listens on :: so that the join to fd99:2::2 finds the listener (bound to
        # fd99:1::2 only, as in the first v1-add-remove-addr, the join SYN is answered by a
        # RST).
        setup 1
        ip -n "$ns" mptcp endpoint add fd99:2::2 dev s1 signal
        # Path 1 limited to 20 Mbit/s on the client's egress (tbf) so the scheduler also
        # sends data on the join, not only on the faster-draining initial subflow.
        tc -n "$nc" qdisc add dev c0 root tbf rate 20mbit burst 16kb latency 100ms
        start_capture "$out"
        run_recorded :: "$port" -- fd99:1::2 "$port" --size 150000 --chunk 65536 --pause 0
        ;;
    v1-loss-reinject)
        # Checksums, two subflows, 800000 bytes paced over ~2.5 s and 20000 back. Once
        # 160000 bytes are written, path 1 (the initial subflow, which carries most data)
        # loses everything the client sends for 1 s: its data is reinjected on the join.
        setup 1
        ip -n "$nc" mptcp endpoint add 10.99.2.1 dev c1 subflow
        lose_path s0 1
        start_capture "$out"
        run_recorded 10.99.1.2 "$port" --reply 20000 -- 10.99.1.2 "$port" --size 800000 \
            --chunk 16000 --pause 0.05 --touch "$work/mark" --touch-after 160000
        ;;
    v1-mp-fail)
        # RFC 8684 3.7 with two subflows, as the kernel selftests' MP_FAIL test does it:
        # checksums on; the client's join (through c1, path 2) gets its 9th data segment whose
        # payload is overwritten by nftables in the client's output hook. c1 computes no
        # TCP checksum in software (tx offload on: the veth hands the segment over as
        # CHECKSUM_PARTIAL, so the server's TCP accepts it): only the DSS checksum catches
        # it. The server resets that subflow with RST + MP_FAIL + MP_TCPRST and the
        # connection goes on over the initial subflow. Path 1 is limited (tbf) so the
        # scheduler also uses the join.
        setup 1
        ip -n "$nc" mptcp endpoint add 10.99.2.1 dev c1 subflow
        ip netns exec "$nc" ethtool -K c1 tx on >/dev/null 2>&1
        tc -n "$nc" qdisc add dev c0 root tbf rate 20mbit burst 16kb latency 100ms
        corrupt_once c1 8
        start_capture "$out"
        run_recorded 10.99.1.2 "$port" -- 10.99.1.2 "$port" --size 600000 --chunk 65536 \
            --pause 0.02
        ;;
    bulk)
        # For bench/: one large transfer over two subflows with checksums.
        setup 1
        ip -n "$nc" mptcp endpoint add 10.99.2.1 dev c1 subflow
        start_capture "$out"
        run 10.99.1.2 "$port" -- 10.99.1.2 "$port" --size "${MPTCPV_BULK_BYTES:-150000000}" \
            --chunk 65536 --pause 0 --timeout 120
        ;;
    short)
        # For bench/: several hundred short connections with joins.
        setup 0
        ip -n "$nc" mptcp endpoint add 10.99.2.1 dev c1 subflow
        start_capture "$out"
        run 10.99.1.2 "$port" --conns 300 -- 10.99.1.2 "$port" --conns 300 --size 20000 \
            --chunk 5000 --pause 0.001
        ;;
    v1-many-short)
        setup 0
        ip -n "$nc" mptcp endpoint add 10.99.2.1 dev c1 subflow
        start_capture "$out"
        run 10.99.1.2 "$port" --conns 20 -- 10.99.1.2 "$port" --conns 20 --size 2000 \
            --pause 0.005
        ;;
    *)
        echo "generate.sh: unknown scenario $name" >&2
        exit 2
        ;;
    esac
    stop_capture
    [[ ! -e $work/record ]] || check_record "$sums"
    rm -f "$work/record" "$work/mark"
    cleanup
    pids=()
}

all=(v1-basic v1-checksum v1-join v1-add-remove-addr v1-backup-prio v1-fastclose v1-fallback
     v1-ipv6 v1-many-short v1-loss-reinject v1-ipv6-join v1-mp-fail)
for name in "${@:-${all[@]}}"; do
    scenario "$name"
done
echo "kernel: $(uname -r)" >&2
