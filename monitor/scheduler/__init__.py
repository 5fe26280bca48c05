"""The rhythm (一周一调度、一月一研判): scheduled jobs, their run log, the lease that keeps one scheduler per
database, and the inbox job. The scheduler, like the CLI, may import everything."""
