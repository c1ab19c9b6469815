#!/bin/sh
# /init (PID 1) of the livemig test guest; runs under busybox sh from the initramfs.
# Kernel command line it reads:
#   lm.ip=A.B.C.D/NN  static IPv4 address on eth0 (eth0 is only brought up if given)
#   lm.gw=A.B.C.D     optional default gateway
#   lm.name=NAME      hostname (also shown by the workload's LMSTART line)
#   lm.dirty_mib= lm.dirty_rate= lm.content=   read by the workload itself from /proc/cmdline
#   lm.debug_port=P   read by the workload too: its debug hook (lab.sh vm corrupt) on TCP port P
# PID 1 must never exit (the kernel would panic), so everything below is best effort
# and the script ends in an endless keep-alive loop.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null   # may already be mounted (CONFIG_DEVTMPFS_MOUNT)
# All output goes to the console (console=ttyS0 -> the serial log the host reads).
exec </dev/console >/dev/console 2>&1

LM_IP= LM_GW= LM_NAME=
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        lm.ip=*)   LM_IP=${arg#lm.ip=} ;;
        lm.gw=*)   LM_GW=${arg#lm.gw=} ;;
        lm.name=*) LM_NAME=${arg#lm.name=} ;;
    esac
done

echo "LMINIT kernel=$(uname -r) name=${LM_NAME:--} ip=${LM_IP:--} gw=${LM_GW:--}"
[ -n "$LM_NAME" ] && hostname "$LM_NAME"

# virtio NIC drivers, in dependency order (the list is written by build-guest.sh;
# modules the kernel has built in are simply absent).
for m in $(cat /lib/modules/livemig/order 2>/dev/null); do
    f=/lib/modules/livemig/$m.ko
    [ -f "$f" ] || continue
    insmod "$f" || echo "LMINIT-WARN insmod $m failed !!!"
done

ip link set lo up
ip addr add 127.0.0.1/8 dev lo 2>/dev/null

if [ -n "$LM_IP" ]; then
    case "$LM_IP" in */*) ;; *) echo "LMINIT-WARN lm.ip has no /prefix, using /24"; LM_IP=$LM_IP/24 ;; esac
    # The NIC appears asynchronously after virtio_net probes the PCI device: wait up to 5 s.
    i=0
    while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if [ -e /sys/class/net/eth0 ]; then
        ip addr add "$LM_IP" dev eth0
        ip link set eth0 up
        [ -n "$LM_GW" ] && ip route add default via "$LM_GW" dev eth0
        echo "LMNET eth0 configured:"
        ip -4 addr show eth0
    else
        echo "LMINIT-WARN no eth0 after 5 s, network not configured !!!"
    fi
fi

# The workload reads its own lm.* parameters from /proc/cmdline; run it in the
# foreground as a child so this shell (PID 1) survives whatever happens to it.
/bin/lm-workload
rc=$?
echo "!!!!!!!! LMWORKLOAD-EXITED status=$rc: the guest workload stopped; guest kept alive !!!!!!!!"

# Keep PID 1 alive: offer a shell on the console, restart it if it ends.
while :; do
    setsid cttyhack sh
    sleep 1
done
