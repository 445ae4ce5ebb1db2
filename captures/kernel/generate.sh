#!/usr/bin/env bash
# Regenerate the kernel MPTCP captures of captures/kernel/ (run as root).
#
# Each scenario makes its own two network namespaces joined by two veth paths
# (10.99.1.0/24 and 10.99.2.0/24, fd99:1::/64 and fd99:2::/64, inside the namespaces only),
# runs mptcp_peer.py as server and client, captures in the server's namespace with tcpdump
# and removes everything it made. Offloads are off so frames are real-sized with valid
# checksums. Traffic never leaves the namespaces; every wait is bounded.
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

for tool in ip tcpdump ethtool python3; do
    command -v "$tool" >/dev/null || { echo "generate.sh: $tool is needed" >&2; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "generate.sh: run as root (network namespaces)" >&2; exit 1; }

cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    ip netns del "$nc" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT

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
    pids+=($!)
    sleep 1
}

stop_capture() {
    sleep 1
    kill "${pids[-1]}" 2>/dev/null || true
    wait "${pids[-1]}" 2>/dev/null || true
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

scenario() {
    local name=$1 out="${MPTCPV_OUT_DIR:-$here}/$1.pcap"
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
        setup 1
        ip -n "$nc" mptcp endpoint add 10.99.2.1 dev c1 subflow
        start_capture "$out"
        run 10.99.1.2 "$port" -- 10.99.1.2 "$port" --size 150000 --pause 0.02
        ;;
    v1-add-remove-addr)
        setup 0
        ip -n "$ns" mptcp endpoint add 10.99.2.2 dev s1 signal
        start_capture "$out"
        (sleep 1.5; ip -n "$ns" mptcp endpoint delete id 1) &
        run 10.99.1.2 "$port" -- 10.99.1.2 "$port" --size 150000 --pause 0.04
        ;;
    v1-backup-prio)
        setup 0
        # Linux 6.18 sent the join of a 'subflow backup' endpoint without the B flag here,
        # so the backup state changes at run time instead: MP_PRIO with B set.
        ip -n "$nc" mptcp endpoint add 10.99.2.1 dev c1 subflow
        start_capture "$out"
        (sleep 1.2; ip -n "$nc" mptcp endpoint change 10.99.2.1 backup) &
        run 10.99.1.2 "$port" -- 10.99.1.2 "$port" --size 150000 --pause 0.08
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
    cleanup
    pids=()
}

all=(v1-basic v1-checksum v1-join v1-add-remove-addr v1-backup-prio v1-fastclose v1-fallback
     v1-ipv6 v1-many-short)
for name in "${@:-${all[@]}}"; do
    scenario "$name"
done
echo "kernel: $(uname -r)" >&2
