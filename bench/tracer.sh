# bench/tracer.sh: shared by bench scripts (sourced; bash): stop the tracer
# they started, whose PID is in TRACER_PID.

# SIGINT the tracer and wait for it (SIGKILL after 20 s).
stop_tracer() {
	local pid=$TRACER_PID i
	[ -n "$pid" ] || return 0
	kill -INT "$pid" 2> /dev/null
	for i in $(seq 400); do
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	TRACER_PID=
}
