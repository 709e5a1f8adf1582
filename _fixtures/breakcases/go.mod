module breakcases

go 1.21
