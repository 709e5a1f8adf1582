module buildtags

go 1.21
