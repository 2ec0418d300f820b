# gdb's cost per heap call, for tests/bench.sh.  Run to main (libc is then
# mapped), then a breakpoint at the first instruction of libc's malloc and
# free (`break *FUNC`: one location each, no prologue skipping; a plain
# `break malloc` also lands on dozens of inlined sites in ld.so) whose
# commands only continue.
set pagination off
set confirm off
set verbose off
set startup-with-shell off
break main
run
delete
break *malloc
commands
silent
continue
end
break *free
commands
silent
continue
end
continue
quit
