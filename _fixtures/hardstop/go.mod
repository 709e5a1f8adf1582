module hardstop

go 1.21
