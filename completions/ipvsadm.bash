# bash completion for ipvsadm (ipvsadm-rs)                  -*- shell-script -*-
#
# Completes the command (first option), then only the options that
# command accepts, and the values of options: schedulers, scheduler
# flags, tunnel types, daemon roles, persistence engines, and the
# virtual services currently in the kernel (read from `ipvsadm -S -n`).
# `ipvsadm mark ...` completes iptables' mangle MARK arguments; the other
# extensions (apply, realserver, director, metrics, sysctl, top, --netns, --json) are covered too.

# Services of one kind in the kernel table, as written by `ipvsadm -S -n`:
# $1 is the program, $2 the option the save format uses (-t, -u,
# --sctp-service or -f), $3 the --netns value given on the line, if any. Only asked when ip_vs is loaded (ipvsadm would
# otherwise load the module), or when IPVSADM_COMPLETION_QUERY is set.
_ipvsadm_services()
{
    local cmd=$1 kind=$2 line
    local -a w ns=()
    [[ -n ${3-} ]] && ns=(--netns "$3")
    [[ -e /proc/net/ip_vs || -n ${IPVSADM_COMPLETION_QUERY-} ]] || return 0
    while IFS= read -r line; do
        read -r -a w <<<"$line"
        [[ ${w[0]-} == -A && ${w[1]-} == "$kind" && -n ${w[2]-} ]] &&
            printf '%s\n' "${w[2]}"
    done < <(LC_ALL=C "$cmd" "${ns[@]}" -S -n 2>/dev/null)
}

_ipvsadm_mark()
{
    local cur=$1 prev=$2
    local chains="PREROUTING INPUT FORWARD OUTPUT POSTROUTING"
    case $prev in
        -A | -I | -D | -C | -F | -S | -L | -P | --append | --insert | --delete | --check | --flush | --list-rules | --list | --policy | \
            -N | -X | -E | -Z | -R | --new-chain | --delete-chain | --rename-chain | --zero | --replace)
            mapfile -t COMPREPLY < <(compgen -W "$chains" -- "$cur")
            return
            ;;
        -t | --table)
            mapfile -t COMPREPLY < <(compgen -W "mangle" -- "$cur")
            return
            ;;
        -p | --protocol)
            mapfile -t COMPREPLY < <(compgen -W "tcp udp sctp" -- "$cur")
            return
            ;;
        -m | --match)
            mapfile -t COMPREPLY < <(compgen -W "tcp udp sctp multiport comment mark connmark state conntrack iprange addrtype icmp icmp6" -- "$cur")
            return
            ;;
        -j | --jump)
            mapfile -t COMPREPLY < <(compgen -W "MARK CONNMARK ACCEPT RETURN" -- "$cur")
            return
            ;;
        # Issue 20's matches: option values.
        --state)
            mapfile -t COMPREPLY < <(compgen -W "INVALID NEW RELATED ESTABLISHED UNTRACKED" -- "$cur")
            return
            ;;
        --ctstate)
            mapfile -t COMPREPLY < <(compgen -W "INVALID NEW RELATED ESTABLISHED UNTRACKED SNAT DNAT" -- "$cur")
            return
            ;;
        --ctstatus)
            mapfile -t COMPREPLY < <(compgen -W "NONE EXPECTED SEEN_REPLY ASSURED CONFIRMED" -- "$cur")
            return
            ;;
        --ctdir)
            mapfile -t COMPREPLY < <(compgen -W "ORIGINAL REPLY" -- "$cur")
            return
            ;;
        --src-type | --dst-type)
            mapfile -t COMPREPLY < <(compgen -W "UNSPEC UNICAST LOCAL BROADCAST ANYCAST MULTICAST BLACKHOLE UNREACHABLE PROHIBIT THROW NAT XRESOLVE" -- "$cur")
            return
            ;;
        --chunk-types)
            mapfile -t COMPREPLY < <(compgen -W "all any only" -- "$cur")
            return
            ;;
        --tcp-flags | --mark | --ctproto | --ctorigsrc | --ctorigdst | --ctreplsrc | --ctrepldst | \
            --ctexpire | --ctorigsrcport | --ctorigdstport | --ctreplsrcport | --ctrepldstport | \
            --src-range | --dst-range | --icmp-type | --icmpv6-type | --tcp-option)
            return
            ;;
        -i | -o | --in-interface | --out-interface)
            local ifs
            ifs=$(command ls /sys/class/net 2>/dev/null)
            mapfile -t COMPREPLY < <(compgen -W "$ifs" -- "$cur")
            return
            ;;
        -s | -d | --source | --destination | --src | --dst | --sport | --dport | \
            --source-port | --destination-port | --dports | --sports | --ports | \
            --destination-ports | --source-ports | \
            --comment | --set-mark | --set-xmark | --and-mark | --or-mark | --xor-mark | \
            --ctmask | --nfmask | --mask | --left-shift-mark | --right-shift-mark | -g | --goto)
            return
            ;;
    esac
    # After "-P CHAIN" comes the policy.
    local i
    for ((i = 1; i < ${#words[@]} - 1; i++)); do
        if [[ ${words[i]} == -P || ${words[i]} == --policy ]] && ((i + 2 == cword)); then
            mapfile -t COMPREPLY < <(compgen -W "ACCEPT DROP" -- "$cur")
            return
        fi
    done
    local opts="-A --append -I --insert -D --delete -C --check -F --flush -S --list-rules
        -L --list -P --policy -t --table -4 --ipv4 -6 --ipv6 -n --numeric -v --verbose
        -x --exact --line-numbers -V --version -s --source -d --destination -p --protocol
        -i --in-interface -o --out-interface --sport --source-port --dport --destination-port
        -m --match --dports --sports --ports --comment -j --jump -h --help
        --src --dst --destination-ports --source-ports
        --set-mark --set-xmark --and-mark --or-mark --xor-mark
        -N --new-chain -X --delete-chain -E --rename-chain -Z --zero -R --replace -g --goto
        --save-mark --restore-mark --ctmask --nfmask --mask --left-shift-mark --right-shift-mark !"
    # Issue 20's matches.
    opts+=" --syn --tcp-flags --tcp-option --chunk-types --mark --state --ctstate --ctproto
        --ctorigsrc --ctorigdst --ctreplsrc --ctrepldst --ctstatus --ctexpire --ctorigsrcport
        --ctorigdstport --ctreplsrcport --ctrepldstport --ctdir --src-range --dst-range
        --src-type --dst-type --limit-iface-in --limit-iface-out --icmp-type --icmpv6-type"
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
}

_ipvsadm()
{
    local cur prev cword
    local -a words
    if [[ -n ${COMP_LINE-} ]] && declare -F _get_comp_words_by_ref >/dev/null; then
        _get_comp_words_by_ref -n =: cur prev words cword
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${words[cword]-}
        prev=${words[cword - 1]-}
    fi
    COMPREPLY=()

    local prog=${words[0]-ipvsadm}
    [[ $prog == */* && -x $prog ]] || prog=ipvsadm

    # --netns NAME (an extension) may come anywhere: complete its value,
    # then forget it so that the command is words[1] again.
    if [[ $prev == --netns ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(command ls /run/netns 2>/dev/null)" -- "$cur")
        return
    fi
    local -a kept=()
    local i n=$cword netns=
    for ((i = 0; i < ${#words[@]}; i++)); do
        if ((i < cword)) && [[ ${words[i]} == --netns ]]; then
            netns=${words[i + 1]-}
            ((i++, n -= 2))
            continue
        elif ((i < cword)) && [[ ${words[i]} == --netns=* ]]; then
            netns=${words[i]#--netns=}
            ((n--))
            continue
        fi
        kept+=("${words[i]}")
    done
    words=("${kept[@]}")
    cword=$n

    case ${words[1]-} in
        mark)
            ((cword >= 2)) && _ipvsadm_mark "$cur" "$prev"
            return
            ;;
        apply)
            if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "--dry-run --netns -h --help" -- "$cur")
            elif ((cword >= 2)); then
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                compopt -o filenames 2>/dev/null
            fi
            return
            ;;
        metrics)
            ((cword >= 2)) || return
            case $prev in
                --by)
                    mapfile -t COMPREPLY < <(compgen -W "server service" -- "$cur")
                    ;;
                --textfile)
                    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                    compopt -o filenames 2>/dev/null
                    ;;
                --listen) ;;
                *)
                    mapfile -t COMPREPLY < <(compgen -W "--by --textfile --listen -n --numeric --netns -h --help" -- "$cur")
                    ;;
            esac
            return
            ;;
        sysctl)
            # Options, or a setting name (from this kernel) to show or set.
            if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "--json --netns -h --help" -- "$cur")
            elif [[ $cur != *=* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "$(command ls /proc/sys/net/ipv4/vs 2>/dev/null)" -- "$cur")
            fi
            return
            ;;
        drain)
            ((cword >= 2)) || return
            case $prev in
                -t | --tcp-service | -u | --udp-service | --sctp-service | -f | --fwmark-service)
                    local t=$prev
                    case $prev in --tcp-service) t=-t ;; --udp-service) t=-u ;; --fwmark-service) t=-f ;; esac
                    mapfile -t COMPREPLY < <(compgen -W "$(_ipvsadm_services "$prog" "$t" "$netns")" -- "$cur")
                    declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
                    ;;
                -r | --real-server | --timeout | --interval) ;;
                *)
                    mapfile -t COMPREPLY < <(compgen -W "-t --tcp-service -u --udp-service --sctp-service -f --fwmark-service -6 --ipv6 -r --real-server --timeout --interval --keep --dry-run -n --numeric --netns -h --help" -- "$cur")
                    ;;
            esac
            return
            ;;
        top)
            ((cword >= 2)) || return
            case $prev in
                --sort)
                    mapfile -t COMPREPLY < <(compgen -W "conns packets bytes" -- "$cur")
                    ;;
                -d | --delay | --count) ;;
                *)
                    mapfile -t COMPREPLY < <(compgen -W "-d --delay -n --numeric --sort --once --count --json --netns -h --help" -- "$cur")
                    ;;
            esac
            return
            ;;
        realserver | director)
            ((cword >= 2)) || return
            case $prev in
                --dev)
                    mapfile -t COMPREPLY < <(compgen -W "$(command ls /sys/class/net 2>/dev/null)" -- "$cur")
                    ;;
                --vip) ;;
                *)
                    mapfile -t COMPREPLY < <(compgen -W "--vip --dev --undo --netns" -- "$cur")
                    ;;
            esac
            return
            ;;
    esac

    local commands="-A --add-service -E --edit-service -D --delete-service
        -C --clear -R --restore -S --save -a --add-server -e --edit-server
        -d --delete-server -L -l --list -Z --zero --set --start-daemon
        --stop-daemon -h --help -v --version mark apply realserver director metrics sysctl drain top --netns"

    # "--opt=value": complete the value of --opt.
    if [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
    elif [[ $prev == = && $cword -ge 2 ]]; then
        prev=${words[cword - 2]}
    fi

    if ((cword <= 1)); then
        mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
        return
    fi

    # Values of the option before the cursor.
    case $prev in
        -s | --scheduler)
            mapfile -t COMPREPLY < <(compgen -W "rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos" -- "$cur")
            return
            ;;
        -b | --sched-flags)
            local flags="flag-1 flag-2 flag-3 sh-fallback sh-port mh-fallback mh-port"
            local head=""
            [[ $cur == *,* ]] && head=${cur%,*},
            mapfile -t COMPREPLY < <(compgen -P "$head" -W "$flags" -- "${cur##*,}")
            [[ -n $head ]] && compopt -o nospace 2>/dev/null
            return
            ;;
        --tun-type)
            mapfile -t COMPREPLY < <(compgen -W "ipip gue gre" -- "$cur")
            return
            ;;
        --start-daemon | --stop-daemon)
            mapfile -t COMPREPLY < <(compgen -W "master backup" -- "$cur")
            return
            ;;
        --pe)
            mapfile -t COMPREPLY < <(compgen -W "sip" -- "$cur")
            return
            ;;
        --mcast-interface)
            local ifs
            ifs=$(command ls /sys/class/net 2>/dev/null)
            mapfile -t COMPREPLY < <(compgen -W "$ifs" -- "$cur")
            return
            ;;
        -t | --tcp-service)
            mapfile -t COMPREPLY < <(compgen -W "$(_ipvsadm_services "$prog" -t "$netns")" -- "$cur")
            declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
            return
            ;;
        -u | --udp-service)
            mapfile -t COMPREPLY < <(compgen -W "$(_ipvsadm_services "$prog" -u "$netns")" -- "$cur")
            declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
            return
            ;;
        --sctp-service)
            mapfile -t COMPREPLY < <(compgen -W "$(_ipvsadm_services "$prog" --sctp-service "$netns")" -- "$cur")
            declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
            return
            ;;
        -f | --fwmark-service)
            mapfile -t COMPREPLY < <(compgen -W "$(_ipvsadm_services "$prog" -f "$netns")" -- "$cur")
            return
            ;;
        -r | --real-server | -M | --netmask | -w | --weight | -x | --u-threshold | \
            -y | --l-threshold | --syncid | --mcast-group | --mcast-port | \
            --mcast-ttl | --sync-maxlen | --tun-port)
            return
            ;;
    esac

    # Options accepted by the command (the first option on the line).
    local svc="-t --tcp-service -u --udp-service --sctp-service -f --fwmark-service -6 --ipv6"
    local opts
    # A command may open a cluster of short options: -Ln is -L -n.
    local cmd=${words[1]}
    [[ $cmd == -[!-]?* ]] && cmd=${cmd:0:2}
    case $cmd in
        -A | --add-service | -E | --edit-service)
            opts="$svc -s --scheduler -p --persistent -M --netmask --pe -b --sched-flags -o --ops"
            ;;
        -D | --delete-service | -Z | --zero)
            opts=$svc
            ;;
        -a | --add-server | -e | --edit-server)
            opts="$svc -r --real-server -g --gatewaying -i --ipip -m --masquerading
                -w --weight -x --u-threshold -y --l-threshold --tun-type --tun-port
                --tun-nocsum --tun-csum --tun-remcsum"
            ;;
        -d | --delete-server)
            opts="$svc -r --real-server"
            ;;
        -L | -l | --list)
            opts="$svc -n --numeric -c --connection --timeout --daemon --stats --rate
                --thresholds --persistent-conn --tun-info -X --exact --nosort --syncid --json"
            ;;
        -S | --save)
            opts="-n --numeric"
            ;;
        --start-daemon)
            opts="--mcast-interface --syncid --mcast-group --mcast-port --mcast-ttl --sync-maxlen"
            ;;
        --stop-daemon)
            opts="--syncid"
            ;;
        *)
            # -C, -R, --set, -h, -v take no options.
            return
            ;;
    esac
    # Leave out what is already on the line: each option may be given
    # once, and only one of a group (service kinds, forwarding methods).
    local -a used=()
    local w
    for w in "${words[@]:2:cword-2}"; do
        case $w in
            --*=*) used+=("${w%%=*}") ;;
            --*) used+=("$w") ;;
            -?*) used+=("${w:0:2}") ;;
        esac
    done
    if ((${#used[@]})); then
        local groups=(
            "-t --tcp-service -u --udp-service --sctp-service -f --fwmark-service"
            "-g --gatewaying -i --ipip -m --masquerading"
            "-s --scheduler" "-p --persistent" "-M --netmask" "-b --sched-flags" "-o --ops"
            "-r --real-server" "-w --weight" "-x --u-threshold" "-y --l-threshold"
            "-n --numeric" "-c --connection" "-X --exact"
        )
        local drop=" ${used[*]} " g u
        for g in "${groups[@]}"; do
            for u in "${used[@]}"; do
                [[ " $g " == *" $u "* ]] && drop+=" $g "
            done
        done
        local keep=()
        for w in $opts; do
            [[ $w == -6 || $w == --ipv6 || $drop != *" $w "* ]] && keep+=("$w")
        done
        opts=${keep[*]}
    fi
    mapfile -t COMPREPLY < <(compgen -W "$opts --sort --netns" -- "$cur")
} &&
    complete -F _ipvsadm ipvsadm

# ex: filetype=sh
