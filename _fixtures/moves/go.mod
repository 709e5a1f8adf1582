module moves

go 1.21
