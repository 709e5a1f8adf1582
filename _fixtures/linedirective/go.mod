module linedirective

go 1.21
