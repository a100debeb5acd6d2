//! Differential tests of `ipvsadm mark`'s chain commands and targets
//! (issue 20) against iptables-nft 1.8.9 itself, each case in fresh network
//! namespaces (`unshare -n`): the host's ruleset is never touched.
//!
//! A case is one line of [`CASES`]: setup commands, then ` => `, then the
//! command under test (iptables' arguments after `-t mangle`; `-6` for
//! ip6tables; `sh:` runs a shell line, e.g. to make traffic). Each case runs
//! three times: setup and command by iptables (the reference), setup by
//! iptables and command by ours, setup by ours and command by iptables.
//! The command's stdout, stderr and exit status, and then everything
//! iptables and nft show about the ruleset, must be the same in all three.
//! Adding coverage is adding a line.

use std::sync::atomic::{AtomicUsize, Ordering};

#[path = "live/netns.rs"]
mod netns;
use netns::ns;

/// Setup `=>` command.
const CASES: &[&str] = &[
    // -N
    " => -N LVS",
    "-A PREROUTING -j MARK --set-mark 1 => -N LVS",
    "-N LVS => -N LVS",
    " => -N PREROUTING",
    " => -N",
    " => -N -foo",
    " => -N !x",
    " => -N ''",
    " => -N ACCEPT",
    " => -N MARK",
    " => -N DROP",
    " => -N mark",
    " => -N 'a b'",
    " => -N a.b/c_d-e",
    " => -N aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    " => -N aaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    " => -N LVS X",
    " => -N LVS -p tcp",
    " => -N LVS -v",
    " => -N LVS -n",
    " => -6 -N LVS",
    // -X
    "-N LVS => -X LVS",
    "-N LVS => -X LVS -v",
    " => -X LVS",
    " => -X",
    " => -X -v",
    "-N LVS; -N LVS2; -A PREROUTING -j MARK --set-mark 1 => -X",
    "-N LVS; -N LVS2; -A PREROUTING -j MARK --set-mark 1 => -X -v",
    "-N LVS; -A PREROUTING -j LVS => -X LVS",
    "-N LVS; -A LVS -j RETURN => -X LVS",
    "-N LVS; -A PREROUTING -j LVS; -A PREROUTING -j LVS; -A LVS -j RETURN => -X LVS",
    "-A PREROUTING -j MARK --set-mark 1; -D PREROUTING 1 => -X PREROUTING",
    "-A PREROUTING -j MARK --set-mark 1 => -X PREROUTING",
    " => -X PREROUTING",
    "-N LVS => -X LVS LVS2",
    "-N LVS => -X LVS -j ACCEPT",
    "-6 -N LVS => -6 -X LVS",
    // -E
    "-N LVS => -E LVS LVS2",
    "-N LVS; -A PREROUTING -j LVS; -A LVS -j MARK --set-mark 1 => -E LVS LVS2",
    "-N LVS => -E LVS",
    "-N LVS => -E LVS -x",
    "-N LVS => -E LVS !b",
    "-N LVS; -N LVS2 => -E LVS LVS2",
    "-N LVS => -E LVS PREROUTING",
    " => -E NOPE PREROUTING",
    " => -E NOPE X",
    "-N LVS => -E LVS X Y",
    "-N LVS => -E LVS 'a b'",
    "-N LVS => -E aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa X",
    "-N LVS => -E LVS X -s 1.2.3.4",
    // -Z
    " => -Z",
    " => -Z -v",
    "-N LVS => -Z -v",
    "-A PREROUTING -j MARK --set-mark 1 => -Z",
    "-N LVS; -A PREROUTING -j LVS; -A LVS -j MARK --set-mark 1 => -Z",
    "-N LVS; -A PREROUTING -j LVS; -A LVS -j MARK --set-mark 1 => -Z LVS",
    "-N LVS; -A PREROUTING -j LVS; -A LVS -j MARK --set-mark 1 => -Z PREROUTING",
    "-N LVS; -A PREROUTING -j LVS; -A LVS -j MARK --set-mark 1; -A LVS -j RETURN => -Z LVS 2",
    "-N LVS; -A LVS -j MARK --set-mark 1 => -Z LVS 5",
    "-N LVS => -Z LVS 0",
    "-N LVS => -Z LVS x",
    " => -Z NOPE",
    " => -Z NOPE 1",
    " => -Z -n",
    " => -Z -x",
    " => -Z -s 1.2.3.4",
    " => -Z --line-numbers",
    "-A PREROUTING -j MARK --set-mark 1 => -L -Z",
    "-A PREROUTING -j MARK --set-mark 1 => -Z -L -n -v",
    "-A PREROUTING -j MARK --set-mark 1 => -L -Z -v",
    "-N LVS; -A PREROUTING -j MARK --set-mark 1 => -S -Z PREROUTING",
    "-N LVS => -S -Z -v",
    "-N LVS => -S -v -Z LVS",
    "-N LVS => -Z LVS -L",
    "-N LVS => -L -S",
    "-N LVS => -Z -F",
    "-N LVS => -Z -L LVS -Z",
    "-N LVS => -N L2 -Z",
    "-N LVS => -X LVS -R X 1",
    "sh:ip link set lo up; -N LVS; -A OUTPUT -j MARK --set-mark 3; -A OUTPUT -d 1.2.3.4 -j MARK --set-mark 3; -A OUTPUT -j LVS; -A LVS -j RETURN -m comment --comment hi; sh:bash -c 'echo x > /dev/udp/127.0.0.1/9' => -Z",
    "sh:ip link set lo up; -A OUTPUT -j MARK --set-mark 3; -A OUTPUT -j CONNMARK --save-mark; sh:bash -c 'echo x > /dev/udp/127.0.0.1/9' => -Z OUTPUT 1",
    "sh:ip link set lo up; -A OUTPUT -j MARK --set-mark 3; sh:bash -c 'echo x > /dev/udp/127.0.0.1/9' => -L -v -Z OUTPUT",
    "sh:ip link set lo up; -6 -A OUTPUT -j MARK --set-mark 3; sh:bash -c 'echo x > /dev/udp/::1/9' => -6 -Z",
    // -R
    "-N LVS; -A LVS -j MARK --set-mark 1; -A LVS -j RETURN => -R LVS 1 -p tcp -j MARK --set-mark 2",
    "-A PREROUTING -j MARK --set-mark 1 => -R PREROUTING 1 -d 1.2.3.4 -j MARK --set-mark 2 -v",
    "-A PREROUTING -j MARK --set-mark 1 => -R PREROUTING 2 -j MARK --set-mark 2",
    "-N LVS => -R LVS 1 -j MARK --set-mark 2",
    " => -R PREROUTING 1 -j MARK --set-mark 2",
    "-A PREROUTING -j MARK --set-mark 1 => -R PREROUTING -j MARK --set-mark 2",
    "-A PREROUTING -j MARK --set-mark 1 => -R PREROUTING 0 -j MARK --set-mark 2",
    "-A PREROUTING -j MARK --set-mark 1 => -R PREROUTING 1 -d 1.2.3.4,5.6.7.8 -j MARK --set-mark 2",
    "-A PREROUTING -j MARK --set-mark 1 => -R PREROUTING 1 -n -j MARK --set-mark 2",
    "-N LVS; -A PREROUTING -j MARK --set-mark 1 => -R PREROUTING 1 -j LVS",
    "-6 -A PREROUTING -j MARK --set-mark 1 => -6 -R PREROUTING 1 -s ::1 -j CONNMARK --restore-mark",
    // jumps, RETURN, ACCEPT
    "-N LVS => -A PREROUTING -d 1.2.3.4 -p tcp --dport 80 -j LVS",
    "-N LVS => -I PREROUTING -j LVS",
    "-N LVS; -A PREROUTING -j LVS => -C PREROUTING -j LVS",
    "-N LVS; -A PREROUTING -j LVS => -D PREROUTING -j LVS",
    "-N LVS; -A PREROUTING -j LVS => -C PREROUTING -j RETURN",
    " => -A PREROUTING -j NOPE",
    "-N L2 => -A LVS -j L2",
    "-N L2 => -A L2 -j LVS",
    " => -A PREROUTING -j",
    " => -A PREROUTING -j ''",
    " => -A PREROUTING -j 'a b'",
    " => -A PREROUTING ! -j ACCEPT",
    "-N LVS => -A PREROUTING -j LVS --foo",
    "-N LVS => -A PREROUTING -j LVS -v",
    "-N LVS => -A LVS -j RETURN",
    "-N LVS => -A LVS -j RETURN -v",
    " => -A PREROUTING -j ACCEPT",
    " => -A PREROUTING -s 10.0.0.0/8 -j ACCEPT -v",
    " => -A PREROUTING -j ACCEPT --set-mark 1",
    " => -A PREROUTING -j RETURN",
    "-6 -N LVS => -6 -A PREROUTING -d ::1 -j LVS",
    " => -6 -A POSTROUTING -j RETURN",
    "-N LVS; -N L2; -A PREROUTING -j LVS; -A LVS -j L2; -A L2 -j RETURN => -L",
    "-N LVS; -N L2; -A PREROUTING -j LVS; -A LVS -j L2; -A L2 -j RETURN => -L -n -v --line-numbers",
    "-N LVS; -N L2; -A PREROUTING -j LVS; -A LVS -j L2; -A L2 -j RETURN => -S",
    "-N LVS; -A PREROUTING -j LVS; -A LVS -p tcp --dport 80 -j MARK --set-mark 6 => -L LVS",
    "-N LVS; -A PREROUTING -j LVS => -S LVS",
    "-N LVS => -L NOPE",
    // CONNMARK
    " => -A PREROUTING -j CONNMARK --save-mark",
    " => -A PREROUTING -j CONNMARK --restore-mark",
    " => -A PREROUTING -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xf0",
    " => -A PREROUTING -j CONNMARK --save-mark --mask 0xff",
    " => -A PREROUTING -j CONNMARK --save-mark --nfmask 0xff",
    " => -A PREROUTING -j CONNMARK --set-mark 5",
    " => -A PREROUTING -j CONNMARK --set-mark 5/7",
    " => -A PREROUTING -j CONNMARK --set-xmark 5/7",
    " => -A PREROUTING -j CONNMARK --set-xmark 0x10",
    " => -A PREROUTING -j CONNMARK --and-mark 5",
    " => -A PREROUTING -j CONNMARK --or-mark 5",
    " => -A PREROUTING -j CONNMARK --xor-mark 5",
    " => -A PREROUTING -j CONNMARK --set-mark 1 --nfmask 3",
    " => -A PREROUTING -j CONNMARK --save-mark --left-shift-mark 3 --right-shift-mark 2",
    " => -A PREROUTING -j CONNMARK --set-mark 1 --left-shift-mark 3",
    " => -A PREROUTING -j CONNMARK --restore-mark --right-shift-mark 32",
    " => -A PREROUTING -j CONNMARK",
    " => -A PREROUTING -j CONNMARK --mask 3",
    " => -A PREROUTING -j CONNMARK --save-mark --restore-mark",
    " => -A PREROUTING -j CONNMARK --save-mark --set-mark 1",
    " => -A PREROUTING -j CONNMARK --and-mark 1 --set-mark 1",
    " => -A PREROUTING -j CONNMARK --save-mark --mask 1 --nfmask 2",
    " => -A PREROUTING -j CONNMARK --save-mark --nfmask 2 --mask 1",
    " => -A PREROUTING -j CONNMARK --save-mark --nfmask 2 --nfmask 3",
    " => -A PREROUTING -j CONNMARK --save-mark --save-mark",
    " => -A PREROUTING -j CONNMARK --set-mark x",
    " => -A PREROUTING -j CONNMARK --set-mark 1/2/3",
    " => -A PREROUTING -j CONNMARK --and-mark 1/2",
    " => -A PREROUTING -j CONNMARK --nfmask",
    " => -A PREROUTING -j CONNMARK --nfmask x --save-mark",
    " => -A PREROUTING -j CONNMARK ! --save-mark",
    " => -A PREROUTING -j CONNMARK --save-mark --left-shift-mark 33",
    " => -A PREROUTING --save-mark -j CONNMARK",
    " => -A PREROUTING -j MARK --save-mark",
    " => -A PREROUTING -p tcp --dport 80 -j CONNMARK --restore-mark -v",
    " => -6 -A PREROUTING -j CONNMARK --save-mark --mask 0xffff",
    "-A PREROUTING -j CONNMARK --save-mark => -C PREROUTING -j CONNMARK --save-mark",
    "-A PREROUTING -j CONNMARK --save-mark => -C PREROUTING -j CONNMARK --restore-mark",
    "-A PREROUTING -j CONNMARK --and-mark 3 => -D PREROUTING -j CONNMARK --set-xmark 0/0xfffffffc",
    "-A PREROUTING -j CONNMARK --restore-mark --mask 0xff => -L -n",
    "-A PREROUTING -j CONNMARK --set-mark 1 --left-shift-mark 3; -A PREROUTING -j CONNMARK --save-mark --nfmask 1 --ctmask 2 => -L",
    // MARK's other operations
    " => -A PREROUTING -j MARK --set-xmark 0x5/0x7",
    " => -A PREROUTING -j MARK --and-mark 0xf",
    " => -A PREROUTING -j MARK --or-mark 0xf0",
    " => -A PREROUTING -j MARK --xor-mark 1",
    " => -A PREROUTING -j MARK --and-mark 1/2",
    " => -A PREROUTING -j MARK --or-mark 1 --xor-mark 2",
    "-A PREROUTING -j MARK --or-mark 0xf0 => -D PREROUTING -j MARK --set-xmark 0xf0/0xf0",
    // the udp oddity
    " => -A PREROUTING -p udp --sport 4:3 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --dport 9:3 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp ! --dport 9:3 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --sport 4:3 --dport 3:1 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp -m udp --sport 5:3 -j MARK --set-mark 1",
    " => -A PREROUTING -p tcp --sport 4:3 -j MARK --set-mark 1",
    " => -A PREROUTING -p sctp --sport 4:3 -j MARK --set-mark 1",
    " => -6 -A PREROUTING -p udp --dport 100:10 -j MARK --set-mark 1",
    "-A PREROUTING -p udp --sport 4:3 -j MARK --set-mark 1 => -C PREROUTING -p udp --sport 4:3 -j MARK --set-mark 1",
    "-A PREROUTING -p udp --sport 4:3 -j MARK --set-mark 1 => -D PREROUTING -p udp --sport 4:3 -j MARK --set-mark 1",
    "-A PREROUTING -p udp --dport 9:3 -j MARK --set-mark 1 => -L -v",
    // more corners
    " => -N LVS -N L2",
    " => --new-chain=LVS",
    " => -NLVS",
    "-N LVS => -E LVS LVS",
    "-N LVS => -X ''",
    "-N LVS; -A LVS -j RETURN => -Z LVS 1 2",
    "-N LVS; -A LVS -j RETURN => -L -Z LVS 1",
    "-N LVS; -A LVS -j RETURN => -S LVS -Z",
    "-N LVS; -A LVS -j RETURN => -Z LVS -S",
    "-N LVS; -A LVS -j RETURN => -6 -Z",
    "-N LVS; -A LVS -j RETURN => -R LVS 1",
    "-A OUTPUT -j MARK --set-mark 1 => -R OUTPUT 1 -i eth0 -j RETURN",
    "-A PREROUTING -j MARK --set-mark 1 => -R PREROUTING 1 -d 10.0.0.0/8 -i eth0 -p udp --dport 53 -j CONNMARK --save-mark",
    "-N LVS; -A LVS -j RETURN => -I LVS 2 -j ACCEPT",
    "-N LVS; -A LVS -j RETURN => -I LVS 1 -p tcp -j MARK --set-mark 1",
    "-N LVS; -A LVS -j RETURN => -D LVS 1",
    "-N LVS; -A LVS -j RETURN => -D LVS -j RETURN",
    "-N LVS; -A LVS -j RETURN => -F LVS",
    "-N LVS; -A LVS -j RETURN; -A PREROUTING -j LVS => -F",
    "-N LVS; -A LVS -j RETURN; -A PREROUTING -j LVS => -F -v",
    "-N LVS => -P LVS ACCEPT",
    "-N LVS; -A LVS -j RETURN => -L LVS -v -x",
    "-N LVS; -A LVS -j RETURN => -S LVS -v",
    "-N LVS; -A LVS -j RETURN => -L LVS 1",
    "-N LVS => -A LVS -j LVS",
    "-N LVS; -N L2; -A L2 -j LVS => -A LVS -j L2",
    "-N LVS => -E PREROUTING X",
    "-N LVS; -A PREROUTING -j LVS => -X PREROUTING",
    " => -A PREROUTING -j MARK --set-mark 1 -j CONNMARK",
    " => -A PREROUTING -j ACCEPT -j RETURN",
    " => -A PREROUTING --set-mark 1 -j MARK",
    " => -A PREROUTING -j aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    " => -A PREROUTING -j CONNMARK --set-mark 0x1/0x1",
    " => -A PREROUTING -j CONNMARK --set-xmark 0",
    " => -A PREROUTING -j CONNMARK --set-mark 4294967296",
    " => -A PREROUTING -j CONNMARK --set-mark -1",
    " => -A PREROUTING -j CONNMARK --and-mark 0xffffffff",
    " => -A PREROUTING -j CONNMARK --and-mark 0",
    " => -A PREROUTING -j CONNMARK --save-mark --ctmask 0",
    " => -A PREROUTING -j CONNMARK --save-mark --ctmask 0xff --nfmask 0xff",
    " => -A PREROUTING -j CONNMARK --restore-mark --mask 0",
    " => -A PREROUTING -j CONNMARK --restore-mark --ctmask 0xff",
    " => -A PREROUTING -j CONNMARK --set-mark=5",
    " => -A PREROUTING -j CONNMARK --left-shift-mark 3",
    " => -A PREROUTING -j CONNMARK --save-mark --right-shift-mark 0",
    " => -A PREROUTING -j CONNMARK --save-mark --right-shift-mark x",
    " => -A PREROUTING -j CONNMARK --save-mark --left-shift-mark 1 --left-shift-mark 2",
    " => -A PREROUTING -j CONNMARK --mask 0xff --set-mark 1",
    " => -A PREROUTING -j CONNMARK --save-mark --mask 1 --ctmask 2",
    " => -A PREROUTING -j CONNMARK --set-mark 1 --save-mark --restore-mark",
    " => -A PREROUTING -j CONNMARK --set-mark 010",
    " => -A PREROUTING -j CONNMARK --or-mark 0x",
    " => -A PREROUTING -j CONNMARK --set-mark 1 -v",
    " => -A PREROUTING -p udp --sport 65535:0 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --sport 5: -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --sport :3 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp -m multiport --sports 4:3 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --sport 4:3 --dport 5 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --sport domain:ftp -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --sport 4:3 -j MARK --set-mark 1 -v",
    "-A PREROUTING -p udp --dport 9:3 -j MARK --set-mark 1 => -L",
    "-6 -A PREROUTING -p udp --dport 100:10 -j MARK --set-mark 1 => -6 -L -n",
    " => -A PREROUTING -p udp --sport 1:2:3 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --dport :: -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --sport : -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --sport '' -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --sport 65536 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --sport -1 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --sport 0x50 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --sport 4294967297 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --sport http: -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --dport 99999:1 -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --dport nosuch -j MARK --set-mark 1",
    " => -A PREROUTING -p udp --dport ftp -j MARK --set-mark 1",
    " => -A PREROUTING -p udp -m udp ! --dport ssh:ntp -j MARK --set-mark 1",
    " => -A PREROUTING -p tcp --dport ftp:ssh -j MARK --set-mark 1",
    // goto, verbose output on refusals, long spellings
    "-N LVS => -A PREROUTING -g LVS",
    "-N LVS => -A PREROUTING -p tcp -g LVS -v",
    "-N LVS; -A PREROUTING -g LVS => -C PREROUTING -g LVS",
    "-N LVS; -A PREROUTING -g LVS => -C PREROUTING -j LVS",
    "-N LVS; -A PREROUTING -g LVS => -D PREROUTING -g LVS",
    "-N LVS; -A PREROUTING -g LVS => -L",
    "-N LVS; -A PREROUTING -g LVS => -X LVS",
    " => -A PREROUTING -g NOPE",
    " => -A PREROUTING -g ACCEPT",
    "-N LVS => -A PREROUTING -g MARK --set-mark 1",
    "-N LVS => -A PREROUTING -g LVS -j ACCEPT",
    "-N LVS => -A PREROUTING -j ACCEPT -g LVS",
    "-N LVS => -A PREROUTING ! -g LVS",
    " => -A PREROUTING -g ''",
    "-A PREROUTING -j MARK --set-mark 1 => -A PREROUTING -g PREROUTING",
    "-A PREROUTING -j MARK --set-mark 1 => -A PREROUTING -j PREROUTING -v",
    "-A PREROUTING -j MARK --set-mark 1 => -A PREROUTING -d 1.2.3.4,5.6.7.8 -j PREROUTING -v",
    "-A PREROUTING -j MARK --set-mark 1 => -A PREROUTING -g INPUT",
    "-N LVS => -N L2 --goto LVS",
    "-N LVS => -A PREROUTING --goto=LVS",
    "-N LVS; -N L2; -A PREROUTING -j LVS => -X -v",
    " => -A NOPE -j MARK --set-mark 1 -v",
    " => -C PREROUTING -j MARK --set-mark 1 -v",
    " => -I PREROUTING 3 -j MARK --set-mark 1 -v",
    "-N LVS => -R LVS 1 -j RETURN -v",
    "-N LVS => --rename-chain LVS L2",
    "-N LVS => --delete-chain LVS",
    "-N LVS => -XLVS",
    "-N LVS => --zero LVS",
    "-N LVS; -A LVS -j RETURN => --replace LVS 1 -j ACCEPT",
    "-N LVS => --new-chain L2 --verbose",
    "-N LVS => -Lnv",
    "-N LVS => -SLVS",
    "-N LVS => -FLVS",
    "-N LVS => -ZLVS",
    "-N LVS => -vZLVS",
    "-N LVS => -nvL",
    "-N LVS; -N L2; -N A0 => -X -v",
    "-N LVS; -N L2; -N A0 => -Z -v",
    "-N LVS; -N L2; -N A0; -E LVS B1 => -X -v",
    // abbreviated long options, as getopt_long takes them
    " => --new LVS",
    "-N LVS => --app PREROUTING -p tcp --dp 80 -j MARK --set-m 1",
    " => --app PREROUTING -p tcp --d 80 -j ACCEPT",
    " => --app PREROUTING --dest 1.2.3.4 -j ACCEPT",
    " => --app PREROUTING -j CONNMARK --save",
    " => --app PREROUTING -j CONNMARK --set 1",
    " => --app PREROUTING -j MARK --set 1",
    " => --app PREROUTING -j MARK --x 1",
    " => --app PREROUTING -j MARK --o 1",
    " => --app PREROUTING -j CONNMARK --m 1 --rest",
    " => --l",
    " => --li",
    "-N LVS => --list-r",
    " => --app PREROUTING -j CONNMARK --save --ct 1",
    " => --app PREROUTING -p udp --dp",
    " => --app PREROUTING -p udp --dp=53 --sp 5:1 -j ACCEPT",
    " => --app PREROUTING -m multiport -p tcp --dports 1,2 -j ACCEPT",
    " => --app PREROUTING -p tcp -m multiport --dp 1,2 -j ACCEPT",
    " => --app PREROUTING -m comment --comm x -j ACCEPT",
    "-N LVS => --app PREROUTING --go LVS",
    "-N LVS => --del-ch LVS",
    "-N LVS => --ren LVS L2",
    "-N LVS => --z --ver",
    " => --app PREROUTING --in eth0 -j ACCEPT",
    " => --app PREROUTING --i eth0 -j ACCEPT",
    "sh:ip link set lo up; -N ZZ; -N AA; -A OUTPUT -j ZZ; -A ZZ -j AA; -A AA -j MARK --set-mark 1; sh:bash -c 'echo x > /dev/udp/127.0.0.1/9' => -Z",
    "sh:ip link set lo up; -N ZZ; -N AA; -A OUTPUT -j ZZ; -A ZZ -j AA; -A AA -j MARK --set-mark 1; sh:bash -c 'echo x > /dev/udp/127.0.0.1/9' => -Z -v",
    "sh:ip link set lo up; -N ZZ; -N AA; -A OUTPUT -j ZZ; -A ZZ -j AA; -A AA -j MARK --set-mark 1; sh:bash -c 'echo x > /dev/udp/127.0.0.1/9' => -L -n -v -Z",
    // names iptables finds as targets, per family
    " => -N NAT",
    " => -N HL",
    " => -6 -N HL",
    " => -N TTL",
    " => -6 -N TTL",
    " => -N ERROR",
    " => -N standard",
    " => -N NETMAP",
    " => -6 -N CLUSTERIP",
    " => -A PREROUTING -j HL",
    " => -A PREROUTING -j NAT",
    // listing and zeroing together: options legal for either command
    "-N LVS; -A PREROUTING -j LVS => -L -Z --line-numbers -n",
    "-N LVS; -A PREROUTING -j LVS => -S -Z -n",
    "-N LVS; -A PREROUTING -j LVS => -L -Z -x -v",
    "-N LVS; -A PREROUTING -j LVS => -Z -S -x",
    "-N LVS; -A PREROUTING -j LVS => -L -Z -s 1.2.3.4",
    "-N LVS; -A PREROUTING -j LVS => -L -Z PREROUTING 1 -v",
    "-N LVS; -A PREROUTING -j LVS => -L PREROUTING 1 -Z -v",
    "-N LVS; -A PREROUTING -j LVS => -6 -L -Z -v",
];

fn available() -> bool {
    netns::available(
        "iptables -t mangle -S >/dev/null && nft list ruleset >/dev/null && echo ok",
        "live mark chain tests",
        "live mark tests need root, unshare -n, iptables-nft and nft (run lab/setup)",
    )
}

/// One line as a shell command run by iptables or by ours.
fn line(l: &str, ours: bool) -> String {
    let l = l.trim();
    if let Some(sh) = l.strip_prefix("sh:") {
        return sh.to_string();
    }
    match (ours, l.strip_prefix("-6 ")) {
        (true, Some(rest)) => format!("\"$BIN\" mark -6 -t mangle {rest}"),
        (true, None) => format!("\"$BIN\" mark -t mangle {l}"),
        (false, Some(rest)) => format!("ip6tables -t mangle {rest}"),
        (false, None) => format!("iptables -t mangle {l}"),
    }
}

/// Everything iptables and nft show about the ruleset afterwards.
const SHOW: &str = "echo '== S'; iptables -t mangle -S; ip6tables -t mangle -S; \
echo '== L'; iptables -t mangle -L -n -v -x --line-numbers; ip6tables -t mangle -L -n -v; \
echo '== nft'; nft list ruleset";

/// The script of one case: setup (silent), the command with its output and
/// status framed, then [`SHOW`].
fn script(case: &str, setup_ours: bool, cmd_ours: bool) -> String {
    let (setup, cmd) = case.split_once("=>").unwrap_or(("", case));
    let mut s = String::new();
    for l in setup.split(';').filter(|l| !l.trim().is_empty()) {
        s.push_str(&line(l, setup_ours));
        s.push_str(" >/dev/null 2>&1 || echo 'SETUP FAILED: ");
        s.push_str(&l.replace('\'', ""));
        s.push_str("'\n");
    }
    s.push_str("echo '== out'; ");
    s.push_str(&line(cmd, cmd_ours));
    s.push_str(" 2>/tmp/.mark_chains_err.$$; echo \"== rc $?\"; echo '== err'; cat /tmp/.mark_chains_err.$$; rm -f /tmp/.mark_chains_err.$$\n");
    s.push_str(SHOW);
    s
}

/// The differences of one case, if any.
fn run_case(case: &str) -> Option<String> {
    let reference = ns(&script(case, false, false));
    let mut diffs = String::new();
    for (setup_ours, cmd_ours, who) in [
        (false, true, "ours on iptables' setup"),
        (true, false, "iptables on our setup"),
    ] {
        let got = ns(&script(case, setup_ours, cmd_ours));
        if got.0 != reference.0 {
            diffs.push_str(&format!(
                "--- {case}\n[{who}] differs\n>>> iptables:\n{}\n>>> {who}:\n{}\n",
                reference.0, got.0
            ));
        }
    }
    if reference.0.contains("SETUP FAILED") {
        diffs.push_str(&format!("--- {case}: setup failed\n{}\n", reference.0));
    }
    (!diffs.is_empty()).then_some(diffs)
}

/// Every case, on two threads (each case in its own namespaces).
#[test]
fn chain_commands_and_targets_as_iptables() {
    if !available() {
        return;
    }
    let next = AtomicUsize::new(0);
    let failures: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(case) = CASES.get(i) else { break };
                        out.extend(run_case(case));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

/// Filtering targets stay refused (`mark` never filters): exit 2, a clear
/// message, and the ruleset untouched.
#[test]
fn filtering_targets_refused() {
    if !available() {
        return;
    }
    for t in ["DROP", "REJECT", "QUEUE", "NFQUEUE", "LOG"] {
        let s = format!(
            "iptables -t mangle -A PREROUTING -j MARK --set-mark 1\n{SHOW} > /tmp/.mc_before.$$\n\
             \"$BIN\" mark -A PREROUTING -j {t}; echo \"rc=$?\"\n{SHOW} > /tmp/.mc_after.$$\n\
             cmp -s /tmp/.mc_before.$$ /tmp/.mc_after.$$ && echo untouched; rm -f /tmp/.mc_before.$$ /tmp/.mc_after.$$"
        );
        let (out, err, _) = ns(&s);
        assert!(
            out.contains("rc=2") && out.contains("untouched"),
            "{t}: {out}"
        );
        assert!(err.contains(&format!("target `{t}'")), "{t}: {err}");
    }
    let (out, err, _) = ns("\"$BIN\" mark -A PREROUTING -j DROP; echo rc=$?");
    assert!(out.contains("rc=2"), "{out}");
    assert!(err.contains("never filters"), "{err}");
}
