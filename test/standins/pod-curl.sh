#!/bin/sh
# curl inside the demo's frontend pod, as kubectl.cjs's exec runs it (a shell script, as cheap as the
# requests a probe makes): a GET of the frontend answers as the cluster's world says, in turn, from
# $STANDIN_STATE/kube/<context>.answers/<path> (kubectl.cjs writes it): podinfo's JSON for a cluster's
# name (podinfo greets with "greetings from <cluster>" and answers curl with JSON), a status of the
# proxy's (a body of its own), or "none" (nothing answered: curl -s prints only -w, with http_code 000,
# and exits 7). Takes -s, -m and -w as curl does.
format=""
url=""
while [ $# -gt 0 ]; do
    case $1 in
        -w | --write-out) format=$2; shift 2 ;;
        -m | --max-time) shift 2 ;;
        -*) shift ;;
        *) url=$1; shift ;;
    esac
done
rest=${url#*://}
path="/${rest#*/}"
file="$STANDIN_STATE/kube/$STANDIN_CONTEXT.answers/$(printf '%s' "$path" | tr '/' '_')"
count=$(cat "$file.count" 2>/dev/null || echo 0)
echo $((count + 1)) >"$file.count"
total=$(wc -l <"$file" 2>/dev/null || echo 0)
if [ "$total" -eq 0 ]; then answer=none; else answer=$(sed -n "$((count % total + 1))p" "$file"); fi
write_out() { printf '%s' "$(printf '%s' "$format" | sed "s/%{http_code}/$1/")"; }
case $answer in
    none)
        write_out 000
        exit 7
        ;;
    [0-9][0-9][0-9])
        printf 'upstream error %s\n' "$answer"
        write_out "$answer"
        ;;
    *)
        printf '{\n  "hostname": "podinfo-%s",\n  "message": "greetings from %s",\n  "version": "6.9.2"\n}\n' "$answer" "$answer"
        write_out 200
        ;;
esac
