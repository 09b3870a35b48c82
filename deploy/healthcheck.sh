#!/bin/bash
# Container health check without curl (the .NET runtime images have none): sends
# GET http://127.0.0.1:PORT/PATH over bash's /dev/tcp and exits 0 on a 2xx status line.
#   healthcheck.sh PORT [PATH]      PATH defaults to /healthz
# Docker's HEALTHCHECK --timeout bounds the whole probe; `read -t` bounds the wait for the answer.
set -u
port=${1:?usage: healthcheck.sh PORT [PATH]}
path=${2:-/healthz}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$path" "$port" >&3
IFS= read -r -t 5 status <&3 || exit 1
[[ $status =~ ^HTTP/1\.[01]\ 2[0-9][0-9] ]]
