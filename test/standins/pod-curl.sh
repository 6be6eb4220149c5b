#!/bin/sh
# curl inside the demo's frontend pod, as kubectl.cjs's exec runs it: a GET of the frontend answers as
# the cluster's world says, in turn, from $STANDIN_STATE/kube/<context>.answers<path>answers (kubectl.cjs
# writes it): podinfo's JSON for a cluster's name (podinfo greets with "greetings from <cluster>" and
# answers curl with JSON), a status of the proxy's (a body of its own), or "none" (nothing answered:
# curl -s prints only -w, with http_code 000, and exits 7). Takes -s, -m and -w as curl does. Shell
# builtins only: a probe runs it 40 times, and each program it started would be a process more.
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
file="$STANDIN_STATE/kube/$STANDIN_CONTEXT.answers/${rest#*/}answers"
count=0
[ -f "$file.count" ] && read -r count <"$file.count"
echo $((count + 1)) >"$file.count"
total=0
[ -f "$file" ] && while IFS= read -r line; do total=$((total + 1)); done <"$file"
answer=none
if [ "$total" -gt 0 ]; then
    index=0
    while IFS= read -r line; do
        [ "$index" -eq $((count % total)) ] && answer=$line && break
        index=$((index + 1))
    done <"$file"
fi
write_out() { printf '%s%s%s' "${format%%"%{http_code}"*}" "$1" "${format#*"%{http_code}"}"; }
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
